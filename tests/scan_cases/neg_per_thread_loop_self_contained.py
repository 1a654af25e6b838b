# negative for: LD104
# The safe forms of ld104_per_thread_loop.py: the wrapper still runs on each thread's own
# loop, but the coroutine makes and closes its client there, or the object hands every call
# to one loop owned by a thread of its own.
import asyncio
import threading

import httpx


def get_or_create_loop():
    try:
        return asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        return loop


async def _fetch(url):
    async with httpx.AsyncClient() as client:
        return await client.get(url)


def fetch(url):
    return get_or_create_loop().run_until_complete(_fetch(url))


class Store:
    def __init__(self, url):
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, daemon=True).start()
        self.url = url

    async def _get(self, key):
        async with httpx.AsyncClient(base_url=self.url) as http:
            return await http.get(f"/{key}")

    def get(self, key):
        return asyncio.run_coroutine_threadsafe(self._get(key), self._loop).result()
