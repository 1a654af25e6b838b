# LD103: a command runs one asyncio.run per item over a manager's lazily made client. Where
# the getter compares the loop it made the client on with the running one and makes the
# client again when they differ, each loop gets its own: silent.
import asyncio

import httpx


class StaleClientManager:
    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None

    async def client(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient()  # error: LD201 "StaleClientManager._client"
        return self._client

    async def fetch(self, item: str) -> str:
        return (await (await self.client()).get(f"/items/{item}")).text


class PerLoopClientManager:
    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None

    async def client(self) -> httpx.AsyncClient:
        running = asyncio.get_running_loop()
        if self._client_loop is not running:
            self._client = None
            self._client_loop = running
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient()
        return self._client

    async def fetch(self, item: str) -> str:
        return (await (await self.client()).get(f"/items/{item}")).text


def show_stale(items: list[str]) -> None:
    manager = StaleClientManager()
    for item in items:
        print(asyncio.run(manager.fetch(item)))  # error: LD103 "StaleClientManager._client"


def show_per_loop(items: list[str]) -> None:
    manager = PerLoopClientManager()
    for item in items:
        print(asyncio.run(manager.fetch(item)))
