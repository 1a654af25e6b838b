# A module-global manager keeps one httpx.AsyncClient, made again only when it is closed. The
# `comments` command in cli.py is a program's entry, but it starts one loop per issue in a
# `for` body: the second pass's loop gets the first loop's client.
import httpx


class HTTPClientManager:
    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None

    async def request(self, url: str) -> httpx.Response:
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient()  # error: LD201 "HTTPClientManager._client" "per pass of a for/while"
        return await self._client.get(url)


_client_manager: HTTPClientManager | None = None


def get_client_manager() -> HTTPClientManager:
    global _client_manager
    if _client_manager is None:
        _client_manager = HTTPClientManager()  # error: LD201 "client._client_manager" "HTTPClientManager"
    return _client_manager
