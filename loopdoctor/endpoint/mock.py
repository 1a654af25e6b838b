"""The ``respx`` endpoint mode: the endpoint's answers served by a respx router, no sockets.

On httpx (openai 2.x) respx patches httpcore itself. respx does not know httpx2 (openai 3.x), so
there the same respx router sits behind httpx2's transports: each httpx2 request is converted to
an httpx request, answered by the router, and converted back. Both count what they answered, so
a cell can prove the mock intercepted.
"""

from __future__ import annotations

import importlib
from typing import Any

import httpx
import respx

from loopdoctor.endpoint.answers import answer


class MockEndpoint:
    def __init__(self) -> None:
        self.answered = 0
        self.router = respx.mock(assert_all_called=False, assert_all_mocked=True)
        self.router.route(host__in=["127.0.0.1", "localhost"]).mock(side_effect=self._answer)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.answered += 1
        status, content_type, body = answer(request.method, request.url.path, request.content,
                                            request.url.query.decode())
        return httpx.Response(status, headers={"content-type": content_type}, content=body)

    def start(self) -> MockEndpoint:
        self.router.start()
        self._patch_httpx2()
        return self

    def _patch_httpx2(self) -> None:
        try:
            httpx2 = importlib.import_module("httpx2")
        except ImportError:
            return
        router = self.router

        def to_httpx2(request: Any) -> Any:
            response = router.handler(
                httpx.Request(request.method, str(request.url),
                              headers=list(request.headers.raw), content=request.read())
            )
            return httpx2.Response(response.status_code, headers=list(response.headers.raw),
                                   content=response.content, request=request)

        async def handle_async_request(self: Any, request: Any) -> Any:
            await request.aread()
            return to_httpx2(request)

        def handle_request(self: Any, request: Any) -> Any:
            return to_httpx2(request)

        httpx2.AsyncHTTPTransport.handle_async_request = handle_async_request
        httpx2.HTTPTransport.handle_request = handle_request
