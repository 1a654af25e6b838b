# LD301/LD302: loop-bound objects created at import time.
# negative for: LD301, LD302
import asyncio

import httpx
from openai import AsyncOpenAI, OpenAI

http = httpx.AsyncClient()  # error: LD301 "AsyncClient" "http"
sync_client = OpenAI()  # a sync client at module level is fine
_lock = asyncio.Lock()  # error: LD302 "asyncio.Lock" "_lock"
_unused_event = asyncio.Event()  # never used by a coroutine: silent
_queue: asyncio.Queue = asyncio.Queue()  # error: LD302 "asyncio.Queue" "_queue"
_links_added = asyncio.Event()  # the coroutine that waits on it makes its own first: silent


class Settings:
    llm = AsyncOpenAI()  # error: LD301 "AsyncOpenAI" "llm"


class Wrapper:
    def __init__(self):
        self.client = AsyncOpenAI()


wrapper = Wrapper()  # error: LD301 "Wrapper" "AsyncOpenAI"


async def watch_links():
    global _links_added
    _links_added = asyncio.Event()
    await _links_added.wait()


def add_link():
    _links_added.set()


async def refresh():
    async with _lock:
        await _queue.put(await http.get("http://127.0.0.1/"))


if __name__ == "__main__":
    script_client = AsyncOpenAI()  # created under the __main__ guard: silent
    asyncio.run(refresh())
    asyncio.run(refresh())  # a second loop: the module-level objects above now break
