# A module-global manager keeps one httpx.AsyncClient, made again only when it is closed. The
# command in commands.py runs one loop per issue; its coroutine reaches the client through an
# attribute made in a constructor (`self.issues = IssueService()`) and a getter that returns
# the global (`get_client_manager().request`): the second loop gets the first loop's client.
import httpx


class HTTPClientManager:
    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None

    async def _ensure_client(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient()  # error: LD201 "HTTPClientManager._client" "_client_manager"
        return self._client

    async def request(self, url: str) -> httpx.Response:
        client = await self._ensure_client()
        return await client.get(url)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()


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
