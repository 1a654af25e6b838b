# The safe form of ld201_reached_through_attributes_and_getters: the global manager keeps one
# client per event loop, looked up by the running loop.
import asyncio
import weakref

import httpx


class HTTPClientManager:
    def __init__(self) -> None:
        self._clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def _ensure_client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if loop not in self._clients:
            self._clients[loop] = httpx.AsyncClient()
        return self._clients[loop]

    async def request(self, url: str) -> httpx.Response:
        client = await self._ensure_client()
        return await client.get(url)

    async def close(self) -> None:
        for client in list(self._clients.values()):
            await client.aclose()


_client_manager: HTTPClientManager | None = None


def get_client_manager() -> HTTPClientManager:
    global _client_manager
    if _client_manager is None:
        _client_manager = HTTPClientManager()
    return _client_manager


async def reset_client_manager() -> None:
    global _client_manager
    if _client_manager is not None:
        await _client_manager.close()
    _client_manager = None
