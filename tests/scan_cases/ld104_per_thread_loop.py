# Sync wrappers that run on the calling thread's own loop (made and set when the thread has
# none), inline or through a helper, over coroutines that reach a client kept on the object:
# every thread that calls them drives the client from another loop.
import asyncio

import httpx


def get_or_create_loop():
    try:
        return asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        return loop


def run_coroutine(coro):
    loop = get_or_create_loop()
    return loop.run_until_complete(coro)  # error: LD104 "run_coroutine" "Store.http"


class Store:
    def __init__(self, url):
        self.http = httpx.AsyncClient(base_url=url)

    async def _get(self, key):
        return await self.http.get(f"/{key}")

    def get(self, key):
        return run_coroutine(self._get(key))


class Connection:
    def __init__(self):
        self._client = httpx.AsyncClient()

    async def _execute(self, query):
        return await self._client.post("/query", content=query)

    def execute(self, query):
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
        return loop.run_until_complete(self._execute(query))  # error: LD104 "execute" "Connection._client"
