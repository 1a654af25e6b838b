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


class Scheduler:
    """Started once, it drives the loop running then, or one of its own when none runs."""

    def __init__(self) -> None:
        self.event_loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        if not self.event_loop:
            try:
                self.event_loop = asyncio.get_running_loop()
            except RuntimeError:
                self.event_loop = asyncio.new_event_loop()


class PerLoopProperty:
    """The attribute is a property whose setter keeps one client per loop."""

    def __init__(self) -> None:
        self._clients: dict = {}

    @property
    def client(self) -> httpx.AsyncClient | None:
        return self._clients.get(asyncio.get_running_loop())

    @client.setter
    def client(self, value: httpx.AsyncClient | None) -> None:
        self._clients[asyncio.get_running_loop()] = value

    async def get(self, url: str) -> httpx.Response:
        if self.client is None:
            self.client = httpx.AsyncClient()
        return await self.client.get(url)
