"""Raw ``httpx.AsyncClient`` and ``httpx2.AsyncClient``: a POST to the endpoint's plain echo
(``/echo``, streamed with ``?stream=1``). httpx binds a client's pool to a loop at its first
request, not at its creation.

The built-in strategies make them as LLM code does, with the SDKs' long timeouts: with httpx's
default (5 s), a wakeup lost between loops is found again when the pool timeout's timer wakes
the loop, 5 s later, and the request then fails or goes on, as the race goes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from loopdoctor.run.clients.kind import Ask, ClientKind, imported_class

TIMEOUT = 600.0  # seconds, as the SDKs'
CONNECT_TIMEOUT = 5.0


def echo_url(ask: Ask) -> str:
    return f"{ask.base_url}/echo" + ("?stream=1" if ask.stream else "")


class HttpxKind(ClientKind):
    describes = "an httpx.AsyncClient"
    has_sync_client = True

    def fits(self, client: Any) -> bool:
        cls = imported_class(self.library, "AsyncClient")
        return cls is not None and isinstance(client, cls)

    async def ask(self, client: Any, ask: Ask) -> AsyncIterator[str]:
        async with client.stream("POST", echo_url(ask), content=ask.text) as response:
            response.raise_for_status()
            async for piece in response.aiter_text():
                yield piece

    def new(self, base_url: str, api_key: str) -> Any:
        return self.module().AsyncClient(**self._config(base_url, api_key))

    def new_sync(self, base_url: str, api_key: str) -> Any:
        return self.module().Client(**self._config(base_url, api_key))

    def _config(self, base_url: str, api_key: str) -> dict[str, Any]:
        timeout = self.module().Timeout(TIMEOUT, connect=CONNECT_TIMEOUT)
        return {"base_url": base_url, "headers": {"x-api-key": api_key}, "timeout": timeout}

    def ask_sync(self, client: Any, ask: Ask) -> Iterator[str]:
        with client.stream("POST", echo_url(ask), content=ask.text) as response:
            response.raise_for_status()
            yield from response.iter_text()

    @property
    def http(self) -> str:
        return self.library


class Httpx(HttpxKind):
    name = library = "httpx"


class Httpx2(HttpxKind):
    name = library = "httpx2"
    describes = "an httpx2.AsyncClient"
