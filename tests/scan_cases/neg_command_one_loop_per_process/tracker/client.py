# negative for: LD201, LD103
# The same module-global manager, and a command that runs every issue in its one
# `asyncio.run`: the process has one loop, so the client never meets a second one.
import httpx


class HTTPClientManager:
    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None

    async def request(self, url: str) -> httpx.Response:
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient()
        return await self._client.get(url)


_client_manager: HTTPClientManager | None = None


def get_client_manager() -> HTTPClientManager:
    global _client_manager
    if _client_manager is None:
        _client_manager = HTTPClientManager()
    return _client_manager
