# LD103: a callable kept on the instance that makes a new client per call is a factory, not a
# kept client: each `async with self.client() as c` opens and closes its own client on the
# loop of that call. A client made once and kept is still reported.
# negative for: LD103
import asyncio
from collections.abc import Callable

import httpx


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.client: Callable[[], httpx.AsyncClient] = lambda: httpx.AsyncClient(base_url=url)
        self.make = lambda: httpx.AsyncClient(base_url=url)

    async def _names(self) -> list[str]:
        async with self.client() as client:
            return (await client.get("/names")).json()

    async def _drop(self, name: str) -> None:
        async with self.make() as client:
            await client.delete(f"/names/{name}")

    def names(self) -> list[str]:
        return asyncio.run(self._names())

    def drop(self, name: str) -> None:
        asyncio.run(self._drop(name))


class KeptStore:
    def __init__(self, url: str) -> None:
        self.client = httpx.AsyncClient(base_url=url)

    async def _names(self) -> list[str]:
        return (await self.client.get("/names")).json()

    def names(self) -> list[str]:
        return asyncio.run(self._names())  # error: LD103 "`names`" "KeptStore.client"
