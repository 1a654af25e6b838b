"""What a kind of client is to a cell: how to recognise it, ask it a question, and make one.

A cell asks every client the same way, :meth:`ClientKind.ask`: the text comes back in pieces
(one piece, or the stream's), and the cell checks that they join to the question, which the
endpoint echoes. The libraries themselves are imported only where a client is made or asked, so
that planning a run, or a run on another kind, never imports them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import re
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, requires, version
from types import ModuleType
from typing import Any, ClassVar

from loopdoctor.endpoint.answers import answer
from loopdoctor.recipes import aclose

MAX_TOKENS = 1024
WARM_URL = "http://127.0.0.1:9/v1"  # never connected to: a mock transport answers
# What a first request through httpx or httpx2 imports lazily (the SDKs' JSON and TLS too).
HTTPX_LAZY_IMPORTS = ("anyio._backends._asyncio", "anyio.streams.tls", "anyio.streams.stapled",
                      "jiter", "truststore")


@dataclass(frozen=True)
class Ask:
    """One question a cell puts to a client."""

    base_url: str  # the endpoint, OpenAI-style (ending in /v1)
    text: str  # what the answer must echo
    stream: bool


@functools.cache  # reading a distribution's metadata costs a millisecond or more, every time
def installed(dist: str) -> str | None:
    """The installed version of a distribution, read without importing it."""
    try:
        return version(dist)
    except PackageNotFoundError:
        return None


@functools.cache
def http_dependency(dist: str) -> str:
    """The HTTP library an SDK's metadata requires, httpx2 or httpx (read, not imported:
    importing an SDK takes a second the CLI need not spend)."""
    try:
        required = requires(dist) or []
    except PackageNotFoundError:
        required = []
    for requirement in required:
        name = re.match(r"[A-Za-z0-9._-]*", requirement).group().lower()  # type: ignore[union-attr]
        if name in ("httpx2", "httpx") and "extra ==" not in requirement:
            return name
    return "httpx"


def imported_class(module: str, name: str) -> type | None:
    """``module.name`` if the module is already imported: a client of a library nobody
    imported cannot exist, so recognising one never imports it."""
    loaded = sys.modules.get(module)
    return getattr(loaded, name, None) if loaded is not None else None


class ClientKind:
    """A kind of client. Subclasses set ``name``, ``describes`` and ``library``."""

    name: ClassVar[str]  # what --client calls it
    describes: ClassVar[str]  # "an OpenAI-style client (.chat.completions.create)"
    library: ClassVar[str]  # the distribution that provides it
    has_sync_client: ClassVar[bool] = False  # the library also has a blocking client
    lazy_imports: ClassVar[tuple[str, ...]] = ()  # what a first request would import

    # -- any client of this kind ------------------------------------------------------------
    def fits(self, client: Any) -> bool:
        raise NotImplementedError

    def ask(self, client: Any, ask: Ask) -> AsyncIterator[str]:
        """The answer's text, in the pieces it came in."""
        raise NotImplementedError

    def host(self, client: Any) -> str | None:
        """The host the client is aimed at, when it says (None: it does not)."""
        base_url = getattr(client, "base_url", None)
        return getattr(base_url, "host", None) if base_url is not None else None

    # -- the clients the built-in strategies make -------------------------------------------
    def module(self) -> ModuleType:
        return importlib.import_module(self.library)

    def new(self, base_url: str, api_key: str) -> Any:
        raise NotImplementedError

    def new_sync(self, base_url: str, api_key: str) -> Any | None:
        """The library's blocking client (None: it has none)."""
        return None

    def ask_sync(self, client: Any, ask: Ask) -> Iterator[str]:
        raise NotImplementedError

    def mocked(self, http_client: Any) -> Any:
        """A client of this kind that sends its requests through ``http_client``."""
        return http_client

    def warm(self) -> None:
        """Import what the library imports at its first request and stream, through a mock
        transport: the forkserver does it once, for every cell."""
        core = self.http.replace("httpx", "httpcore")
        for name in (*HTTPX_LAZY_IMPORTS, *self.lazy_imports, core):
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
        http = importlib.import_module(self.http)

        def respond(request: Any) -> Any:
            status, content_type, body = answer(request.method, request.url.path,
                                                request.read(), request.url.query.decode())
            return http.Response(status, headers={"content-type": content_type}, content=body)

        async def ask_twice() -> None:
            client = self.mocked(http.AsyncClient(transport=http.MockTransport(respond)))
            for stream in (False, True):
                async for _ in self.ask(client, Ask(WARM_URL, "warm up", stream)):
                    pass
            await aclose(client)

        asyncio.run(ask_twice())

    # -- what it runs on ----------------------------------------------------------------------
    @property
    def http(self) -> str:
        """The HTTP library under it: httpx2 or httpx (``Stacked`` expectations differ by it)."""
        return http_dependency(self.library)

    @property
    def label(self) -> str:
        """``openai 3.57.0 · httpx2 2.16.2 · httpcore2 2.16.2``: what a report names."""
        parts = [self.library, *(() if self.http == self.library else (self.http,))]
        if self.http in ("httpx", "httpx2"):
            parts.append(self.http.replace("httpx", "httpcore"))
        return " · ".join(f"{dist} {installed(dist) or '?'}" for dist in parts)
