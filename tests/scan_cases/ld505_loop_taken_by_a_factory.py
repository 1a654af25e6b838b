# A factory takes the current loop when it is called and returns a sync closure that runs
# every later call on it: made at import time (as the default loader here), every load runs on
# the import-time loop, from any thread and under any running loop.
import asyncio

import aiohttp


def aiohttp_document_loader(loop=None, **kwargs):
    if loop is None:
        loop = asyncio.get_event_loop()  # error: LD505 "aiohttp_document_loader" "loader" "line 19"

    async def async_loader(url: str) -> dict:
        async with aiohttp.ClientSession() as session:
            async with session.get(url, **kwargs) as response:
                return await response.json()

    def loader(url: str) -> dict:
        return loop.run_until_complete(async_loader(url))

    return loader


default_document_loader = aiohttp_document_loader()
