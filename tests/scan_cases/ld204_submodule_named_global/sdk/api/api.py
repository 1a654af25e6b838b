# negative for: LD201, LD203
import httpx

from sdk.api.file_api import FileApi


class Api:
    def __init__(self, server: str) -> None:
        self.server = server
        self.async_client: httpx.AsyncClient | None = None
        self.file = FileApi(self)

    def _set_async_client(self) -> None:
        if self.async_client is None:
            self.async_client = httpx.AsyncClient(http2=True)  # error: LD204 "Api.async_client" "AsyncClient" "sdk/utils.py"

    async def post_async(self, path: str) -> httpx.Response:
        self._set_async_client()
        return await self.async_client.post(self.server + path)
