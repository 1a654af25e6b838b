# negative for: LD505
# The safe forms of ld505_loop_taken_by_a_factory: the closure runs each call on a loop of its
# own (`asyncio.run`), or on the loop its caller passed to the factory.
import asyncio

import aiohttp


async def fetch(url: str) -> dict:
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            return await response.json()


def document_loader():
    def loader(url: str) -> dict:
        return asyncio.run(fetch(url))

    return loader


def document_loader_on(loop: asyncio.AbstractEventLoop):
    def loader(url: str) -> dict:
        return loop.run_until_complete(fetch(url))

    return loader


default_document_loader = document_loader()
