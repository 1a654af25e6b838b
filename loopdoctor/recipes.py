"""Two ways to share a pooled async client across event loops safely. Copy them, or import them.

No common cache (a global, a dict keyed by config, ``lru_cache``, ``id(loop)``, a
``WeakKeyDictionary`` of loops, ``threading.local``) is both pooled and leak-free across loops:
a client's connection pool belongs to one loop. These two are, and ``loopdoctor run`` proves it
for every scenario (``--strategy loop-scoped --strategy portal``):

- :class:`LoopScopedClients`: one client per event loop, closed by whoever owns the loop's
  lifetime before the loop closes;
- :class:`ClientPortal`: one long-lived loop in a daemon thread owns the client; every other loop
  submits its calls to it.

Both take ``make_client``, a function of no arguments that returns a new client: an
``openai.AsyncOpenAI``, an ``anthropic.AsyncAnthropic``, an ``httpx.AsyncClient``, an
``aiohttp.ClientSession`` (made on the loop that uses it, as aiohttp requires)... anything with
an async ``aclose()`` or ``close()``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


async def aclose(client: Any) -> None:
    """Close an async client: ``aclose()`` (httpx) or ``close()`` (the SDKs, aiohttp)."""
    await (getattr(client, "aclose", None) or client.close)()


class LoopScopedClients:
    """One client per event loop, closed by the code that owns the loop before it closes.

    Call :meth:`get` on any loop. Whoever owns a loop's lifetime (your ``main``, your sync→async
    bridge) runs it with :meth:`run` instead of ``asyncio.run``, or awaits :meth:`aclose` last.
    """

    def __init__(self, make_client: Callable[[], Any]) -> None:
        self._make_client = make_client
        self._clients: dict[asyncio.AbstractEventLoop, Any] = {}

    def get(self) -> Any:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self._clients[loop] = self._make_client()
        return client

    async def aclose(self) -> None:
        """Close the running loop's client, if it has one."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await aclose(client)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """``asyncio.run(coro)``, closing the loop's client before the loop closes."""

        async def owned() -> T:
            try:
                return await coro
            finally:
                await self.aclose()

        return asyncio.run(owned())

    def __len__(self) -> int:
        return len(self._clients)


class ClientPortal:
    """One long-lived loop, in a daemon thread, owns the client; any loop submits calls to it.

    ``await portal.call(lambda client: client.models.list())`` from any loop or thread's loop;
    :meth:`iterate` hands a stream that lives on the portal back, item by item.
    """

    def __init__(self, make_client: Callable[[], Any]) -> None:
        self._make_client = make_client
        self._client: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def _portal_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                threading.Thread(target=self._loop.run_forever, name="client-portal",
                                 daemon=True).start()
            return self._loop

    async def _on_portal(self, fn: Callable[[Any], Awaitable[T]]) -> T:
        if self._client is None:
            self._client = self._make_client()
        return await fn(self._client)

    async def call(self, fn: Callable[[Any], Awaitable[T]]) -> T:
        """Run ``fn(client)`` on the portal's loop and await its result here."""
        future = asyncio.run_coroutine_threadsafe(self._on_portal(fn), self._portal_loop())
        return await asyncio.wrap_future(future)

    async def iterate(self, stream: AsyncIterator[T]) -> AsyncIterator[T]:
        """Iterate here over an async iterator that lives on the portal's loop."""
        done = object()
        while (item := await self.call(lambda _: anext(stream, done))) is not done:
            yield item

    def close(self) -> None:
        if self._loop is not None:
            if self._client is not None:
                asyncio.run_coroutine_threadsafe(aclose(self._client), self._loop).result(5)
            self._loop.call_soon_threadsafe(self._loop.stop)
