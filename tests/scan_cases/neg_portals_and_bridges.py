# anyio portals, asgiref's AsyncToSync and a portal loop do not start loops: silent.
# negative for: LD101, LD102, LD502
import asyncio
import threading

from anyio.from_thread import start_blocking_portal
from asgiref.sync import AsyncToSync, async_to_sync
from openai import AsyncOpenAI


async def ask(client: AsyncOpenAI, question: str):
    return await client.responses.create(model="m", input=question)


def with_anyio_portal(client: AsyncOpenAI, question: str):
    with start_blocking_portal() as portal:
        return portal.call(ask, client, question)


def with_asgiref(client: AsyncOpenAI, question: str):
    return AsyncToSync(ask)(client, question)


def with_decorator(client: AsyncOpenAI, question: str):
    return async_to_sync(ask)(client, question)


class Portal:
    """One background loop owns the client; other threads submit to it."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()
