"""A fake LLM endpoint: a real HTTP/1.1 keep-alive server (uvicorn + starlette) on 127.0.0.1.

It serves the answers of ``loopdoctor.endpoint.answers`` (OpenAI's chat completions, Anthropic's
Messages, a plain echo) under any prefix (``/v1``, and ``/v1/v1`` where an Anthropic client
appends its own ``/v1`` to an OpenAI-style base URL). Faults (latency, interval between stream
chunks, stall, error status, a connection dropped mid-stream) are set for the whole endpoint or
per request with an ``x-loopdoctor-faults`` header or a ``[loopdoctor-faults: ...]`` tag in the
question, in the same ``key=value,...`` syntax.
Requests whose path starts with ``/c/<cell>/`` are counted for that cell, which is how the
harness tells one cell's traffic from another's on a shared server.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from loopdoctor.endpoint.answers import (
    FAULTS_HEADER,
    MODEL,
    MODELS,
    Faults,
    api_of,
    error,
    question,
    reply,
    stream,
)

__all__ = ["FAULTS_HEADER", "MODEL", "Endpoint", "Faults"]


@dataclass
class Counters:
    requests: int = 0
    in_flight: int = 0
    connections: set[tuple[str, int]] = field(default_factory=set)

    def as_dict(self, open_now: int) -> dict[str, int]:
        return {
            "requests": self.requests,
            "in_flight": self.in_flight,
            "connections_opened": len(self.connections),
            "connections_open": open_now,
        }


class Endpoint:
    """The fake LLM server. ``with Endpoint() as ep: ep.base_url`` serves on a free port."""

    def __init__(self, port: int = 0, faults: Faults | None = None) -> None:
        self.faults = faults or Faults()
        self._totals = Counters()
        self._cells: dict[str, Counters] = {}
        self._lock = threading.Lock()
        self._socket = socket.create_server(("127.0.0.1", port))
        # Accepted connections inherit this; without it each keep-alive response waits ~40 ms
        # for a delayed ACK (asyncio only sets it on sockets it creates itself).
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(
            self._app(), http="auto", lifespan="off", log_level="warning", timeout_keep_alive=30
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def cell_base_url(self, cell: str) -> str:
        return f"http://127.0.0.1:{self.port}/c/{cell}/v1"

    def start(self) -> Endpoint:
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True,
            name="loopdoctor-endpoint",
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the fake endpoint did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._server.force_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._socket.close()

    def __enter__(self) -> Endpoint:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stats(self, cell: str | None = None) -> dict[str, int]:
        """Counters for the whole endpoint, or for one cell's ``/c/<cell>/`` traffic."""
        with self._lock:
            counters = self._totals if cell is None else self._cells.get(cell, Counters())
            open_now = sum(
                1 for conn in self._server.server_state.connections
                if tuple(getattr(conn, "client", None) or ()) in counters.connections
            )
            return counters.as_dict(open_now)

    # -- the ASGI app ---------------------------------------------------------------------

    def _app(self) -> Starlette:
        return Starlette(routes=[
            Route("/_loopdoctor/stats", self._stats, methods=["GET"]),
            Route("/c/{cell}/{path:path}", self._api, methods=["GET", "POST"]),
            Route("/{path:path}", self._api, methods=["GET", "POST"]),
        ])

    def _begin(self, request: Request) -> list[Counters]:
        client = (request.client.host, request.client.port) if request.client else ("?", 0)
        with self._lock:
            scopes = [self._totals]
            if cell := request.path_params.get("cell"):
                scopes.append(self._cells.setdefault(cell, Counters()))
            for counters in scopes:
                counters.requests += 1
                counters.in_flight += 1
                counters.connections.add(client)
        return scopes

    def _end(self, scopes: list[Counters]) -> None:
        with self._lock:
            for counters in scopes:
                counters.in_flight -= 1

    def all_stats(self) -> dict[str, dict[str, int]]:
        """Counters for every cell that made a request."""
        with self._lock:
            cells = list(self._cells)
        return {cell: self.stats(cell) for cell in cells}

    async def _stats(self, request: Request) -> Response:
        if "all" in request.query_params:
            return JSONResponse(self.all_stats())
        return JSONResponse(self.stats(request.query_params.get("cell")))

    async def _api(self, request: Request) -> Response:
        api = api_of(request.url.path)
        is_models = request.method == "GET" and request.url.path.endswith("/models")
        if not is_models and (api is None or request.method != "POST"):
            return JSONResponse({"error": {"message": "not found"}}, status_code=404)
        scopes = self._begin(request)
        ended = False
        try:
            if is_models:
                return JSONResponse(MODELS)
            asked = question(api, await request.body(), request.url.query)
            faults = Faults.parse(f"{request.headers.get(FAULTS_HEADER, '')},{asked.faults}",
                                  self.faults)
            if faults.stall:
                await asyncio.Event().wait()
            await asyncio.sleep(faults.latency)
            if faults.status is not None:
                return _error(api, faults)
            if not asked.stream:
                content_type, body = reply(asked)
                return Response(body, media_type=content_type)
            ended = True  # the stream ends the request itself, when it finishes or drops
            content_type, chunks = stream(asked)
            return StreamingResponse(self._stream(request, chunks, faults, scopes),
                                     media_type=content_type)
        finally:
            if not ended:
                self._end(scopes)

    async def _stream(self, request: Request, chunks: list[str], faults: Faults,
                      scopes: list[Counters]) -> AsyncIterator[str]:
        try:
            for n, piece in enumerate(chunks):
                if faults.drop_after is not None and n >= faults.drop_after:
                    self._drop(request)
                    return
                yield piece
                if faults.interval:
                    await asyncio.sleep(faults.interval)
        finally:
            self._end(scopes)

    def _drop(self, request: Request) -> None:
        """Reset the TCP connection that carries ``request``: the client sees a truncated body."""
        client = (request.client.host, request.client.port) if request.client else None
        for conn in list(self._server.server_state.connections):
            if tuple(getattr(conn, "client", None) or ()) == client:
                conn.transport.abort()


def _error(api: str, faults: Faults) -> Response:
    headers = {} if faults.retry_after is None else {"retry-after": f"{faults.retry_after:g}"}
    status = faults.status or 500
    return JSONResponse(error(api, status), status_code=status, headers=headers)


