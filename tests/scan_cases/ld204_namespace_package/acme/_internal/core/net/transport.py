# `acme/` and `acme/_internal/` are namespace folders (PEP 420: no `__init__.py`), as in a
# wheel whose distributions share the `acme` name: this module is
# `acme._internal.core.net.transport`, the name the project's own absolute imports give it.
# What the transport holds is only known here, re-exported by `acme._internal.core.net`
# with the client factory of clients.py; the session that keeps it is in ../session.py.
# negative for: LD201, LD203
from __future__ import annotations

import httpx


class AsyncTransport:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def get(self, url: str) -> httpx.Response:
        return await self._client.get(url)
