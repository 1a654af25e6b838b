# The safe form of ld204_namespace_package: the same namespace folders, and the process-wide
# default keeps one transport per running loop.
# negative for: LD201, LD203
from __future__ import annotations

import httpx


class AsyncTransport:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def get(self, url: str) -> httpx.Response:
        return await self._client.get(url)
