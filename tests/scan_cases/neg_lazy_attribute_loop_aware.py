# negative for: LD204
# The safe forms of a lazily made loop-bound attribute: rebuilt when the running loop is not
# the one it was made on, the loop taken again once the kept one is closed, a client per call.
import asyncio

import httpx


class PerLoopApi:
    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def client(self) -> httpx.AsyncClient:
        if self._client is None or self._loop is not asyncio.get_running_loop():
            self._client = httpx.AsyncClient()
            self._loop = asyncio.get_running_loop()
        return self._client


class Limiter:
    @property
    def _loop(self) -> asyncio.AbstractEventLoop:
        try:
            loop = self._event_loop
            if loop.is_closed():
                loop = self._event_loop = asyncio.get_running_loop()
        except AttributeError:
            loop = self._event_loop = asyncio.get_running_loop()
        return loop


class PerCall:
    async def get(self, url: str) -> httpx.Response:
        async with httpx.AsyncClient() as client:
            return await client.get(url)


def get_sync(url: str) -> httpx.Response:
    return asyncio.run(PerCall().get(url))
