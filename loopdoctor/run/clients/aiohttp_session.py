"""``aiohttp.ClientSession``: a POST to the endpoint's plain echo. A session belongs to the loop
it was created on (aiohttp needs one running), not to the loop of its first request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from loopdoctor.run.clients.httpx_client import echo_url
from loopdoctor.run.clients.kind import Ask, ClientKind, imported_class


class AiohttpKind(ClientKind):
    name = library = "aiohttp"
    describes = "an aiohttp.ClientSession"

    def fits(self, client: Any) -> bool:
        cls = imported_class("aiohttp", "ClientSession")
        return cls is not None and isinstance(client, cls)

    async def ask(self, client: Any, ask: Ask) -> AsyncIterator[str]:
        async with client.post(echo_url(ask), data=ask.text) as response:
            response.raise_for_status()
            async for piece in response.content.iter_any():
                yield piece.decode()

    def host(self, client: Any) -> str | None:
        base_url = getattr(client, "_base_url", None)
        return base_url.host if base_url is not None else None

    def new(self, base_url: str, api_key: str) -> Any:
        return self.module().ClientSession(headers={"x-api-key": api_key})

    @property
    def http(self) -> str:
        return self.library

    def warm(self) -> None:
        """aiohttp imports what it needs up front, and has no mock transport to ask."""
