"""How programs obtain their LLM client: the built-in strategies, and the user's own.

Each strategy is written the way real projects write it. ``get_client`` is always called on the
loop that will use the client. :class:`LoopScopedClients` and :class:`ClientPortal` are the two
recommendations: both keep connection pooling, pass every scenario and leak nothing; copy them.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import sys
import threading
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from loopdoctor.recipes import ClientPortal, LoopScopedClients, aclose
from loopdoctor.run import clients
from loopdoctor.run.clients import Ask, CallKind, ClientKind, backoff
from loopdoctor.run.verdict import ERROR_OR_MASKED, Either, Expected, Outcome, Stacked

T = TypeVar("T")
Bridge = Callable[[Coroutine[Any, Any, Any]], Any]


class Strategy:
    """A way to obtain a client of ``kind``. Subclasses set ``name``, ``summary`` and what they
    get on each scenario (``expectations``: PASS when a scenario is absent)."""

    name: ClassVar[str]
    summary: ClassVar[str]
    # What the strategy gets, from what its kind of client does when loops share a pool (the
    # Sharing method that says it); None: PASS everywhere.
    expects: ClassVar[Callable[[Sharing], dict[str, Expected]] | None] = None
    # The same under a transport mock (--endpoint respx): with no pool, nothing can break and
    # no connection keeps a loop alive; only clients kept for dead loops leak.
    expects_with_mock: ClassVar[Callable[[Sharing], dict[str, Expected]] | None] = None

    def __init__(self, kind: ClientKind) -> None:
        self.kind = kind

    def get_client(self, base_url: str, api_key: str) -> Any:
        raise NotImplementedError

    def new_client(self, base_url: str, api_key: str) -> Any:
        """A client the strategy owns (behind a portal too): its SDK's retry backoff is skipped,
        and recorded."""
        return backoff.fast_forward(self.kind.new(base_url, api_key))

    def kind_of(self, client: Any) -> ClientKind:
        """The kind of a client this strategy gave."""
        return self.kind

    def ask(self, client: Any, ask: Ask) -> AsyncIterator[str]:
        """Put ``ask`` to a client this strategy gave; the answer's text, in pieces."""
        return self.kind.ask(client, ask)

    @classmethod
    def serves(cls, kind: ClientKind) -> bool:
        """Whether the strategy can be played with clients of ``kind``."""
        return True

    async def release(self, client: Any) -> None:
        """Called when the caller is done with ``client``."""

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on a new loop owned by the caller."""
        return asyncio.run(coro)

    def cache_size(self) -> int | None:
        """How many clients the strategy holds on to, if it keeps a cache."""
        return None

    @asynccontextmanager
    async def lease(self, base_url: str, api_key: str) -> AsyncIterator[Any]:
        client = self.get_client(base_url, api_key)
        if inspect.isawaitable(client):
            client = await client
        try:
            yield backoff.fast_forward(client)  # the user's client too: the same retries, at once
        finally:
            await self.release(client)

    @classmethod
    def expectations(cls, kind: str, endpoint: str = "loopback") -> dict[str, Expected]:
        """Scenario name -> what the strategy gets with clients of ``kind``."""
        expects = cls.expects_with_mock if endpoint == "respx" else cls.expects
        return expects(SHARING[kind]) if expects else {}

    @classmethod
    def expected_outcome(cls, scenario: str, kind: ClientKind,
                         endpoint: str) -> Outcome | Either:
        expected = cls.expectations(kind.name, endpoint).get(scenario, Outcome.PASS)
        return expected.on(kind.http) if isinstance(expected, Stacked) else expected


@dataclass(frozen=True)
class Sharing:
    """What one kind of client gets when loops share its pool, measured with ``--repeat 5`` on
    both stacks (README, `loopdoctor run --client KIND`)."""

    closed_owner: Expected  # a request on a pool whose loop has closed, or is blocked
    streamed: Expected  # the same, streamed
    live_loops: Expected  # two running loops on a one-connection pool
    to_thread: Expected  # the owner loop's request in flight while a thread's loop asks

    def shared_pool(self) -> dict[str, Expected]:
        """One client for every loop (a global, a cache keyed by configuration)."""
        return {
            **dict.fromkeys(CLOSED_OWNER, self.closed_owner),
            "gateway-bridge-stream": self.streamed,
            "gateway-to-thread": self.to_thread,
            **dict.fromkeys(LIVE_LOOPS, self.live_loops),
        }

    def thread_reuse(self) -> dict[str, Expected]:
        """One client per thread: fails where a thread runs loop after loop."""
        return {"cli-sequential": self.closed_owner, "gateway-executor": self.closed_owner,
                "threadpool": self.closed_owner, "threadpool-stream": self.streamed}

    def per_loop_cache(self) -> dict[str, Expected]:
        """One client per loop, never closed: every loop that dies leaves its client and socket
        behind, whatever the kind."""
        return dict.fromkeys(self.shared_pool(), Outcome.LEAK)


CLOSED_OWNER = ("cli-sequential", "gateway-bridge", "gateway-return", "gateway-executor",
                "loop-churn")
LIVE_LOOPS = ("threadpool", "threadpool-stream", "concurrent-loops", "concurrent-held")
HANG_OR_ERROR = Either((Outcome.HANG, Outcome.ERROR))
# A closed or blocked owner loop: an error, retried until it passes by the SDKs that retry
# (openai 2.x on httpx, anthropic: MASKED). Two live loops on a one-connection pool: a lost
# wakeup, a hang; aiohttp raises instead when the loop that waits is not the session's own.
# openai 2.x streams do not reuse the connection they came on: a streamed bridge passes there.
SHARING: dict[str, Sharing] = {
    "openai": Sharing(closed_owner=ERROR_OR_MASKED,
                      streamed=Stacked(httpx2=Outcome.ERROR, httpx=Outcome.PASS),
                      live_loops=Outcome.HANG, to_thread=Outcome.HANG),
    "anthropic": Sharing(closed_owner=Outcome.MASKED, streamed=Outcome.MASKED,
                         live_loops=Outcome.HANG, to_thread=Outcome.HANG),
    "httpx": Sharing(closed_owner=Outcome.ERROR, streamed=Outcome.ERROR,
                     live_loops=Outcome.HANG, to_thread=Outcome.HANG),
    "httpx2": Sharing(closed_owner=Outcome.ERROR, streamed=Outcome.ERROR,
                      live_loops=Outcome.HANG, to_thread=Outcome.HANG),
    "aiohttp": Sharing(closed_owner=Outcome.ERROR, streamed=Outcome.ERROR,
                       live_loops=HANG_OR_ERROR, to_thread=Outcome.ERROR),
}


# -- the patterns found in real code ---------------------------------------------------------

class Global(Strategy):
    name = "global"
    summary = "one module-level client, created on first use"
    expects = Sharing.shared_pool

    def __init__(self, kind: ClientKind) -> None:
        super().__init__(kind)
        self._client: Any | None = None

    def get_client(self, base_url: str, api_key: str) -> Any:
        if self._client is None:
            self._client = self.new_client(base_url, api_key)
        return self._client


class KeyNoLoop(Strategy):
    name = "key-no-loop"
    summary = "a dict of clients keyed by configuration (base_url, api_key), not by loop"
    expects = Sharing.shared_pool

    def __init__(self, kind: ClientKind) -> None:
        super().__init__(kind)
        self._cache: dict[tuple[str, str], Any] = {}

    def get_client(self, base_url: str, api_key: str) -> Any:
        key = (base_url, api_key)
        if key not in self._cache:
            self._cache[key] = self.new_client(base_url, api_key)
        return self._cache[key]

    def cache_size(self) -> int:
        return len(self._cache)


def reused_ids_under_mock(sharing: Sharing) -> dict[str, Expected]:
    """An id(loop) cache under a transport mock: no connection keeps a dead loop alive, so when
    a gc frees it before the next loop starts, that loop may get its id, and its client. With
    three loops (cli-sequential), one then holds a client: PASS, in about 1 run of 40."""
    return {**sharing.per_loop_cache(), "cli-sequential": Either((Outcome.LEAK, Outcome.PASS))}


class IdLoop(Strategy):
    name = "id-loop"
    summary = "the cache key includes id(running loop)"
    expects = Sharing.per_loop_cache
    expects_with_mock = reused_ids_under_mock

    def __init__(self, kind: ClientKind) -> None:
        super().__init__(kind)
        self._cache: dict[tuple[str, str, int], Any] = {}

    def get_client(self, base_url: str, api_key: str) -> Any:
        key = (base_url, api_key, id(asyncio.get_running_loop()))
        if key not in self._cache:
            self._cache[key] = self.new_client(base_url, api_key)
        return self._cache[key]

    def cache_size(self) -> int:
        return len(self._cache)


class IdLoopChecked(Strategy):
    name = "id-loop-checked"
    summary = "id(loop) key, the stored loop checked with `is`, oldest entry evicted past 32"
    expects = expects_with_mock = Sharing.per_loop_cache
    max_entries = 32

    def __init__(self, kind: ClientKind) -> None:
        super().__init__(kind)
        self._cache: OrderedDict[tuple[str, str, int], tuple[Any, Any]] = (
            OrderedDict()
        )

    def get_client(self, base_url: str, api_key: str) -> Any:
        loop = asyncio.get_running_loop()
        key = (base_url, api_key, id(loop))
        entry = self._cache.get(key)
        if entry is not None and entry[0] is loop:
            return entry[1]
        client = self.new_client(base_url, api_key)
        self._cache[key] = (loop, client)
        if len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return client

    def cache_size(self) -> int:
        return len(self._cache)


class WeakLoop(Strategy):
    name = "weak-loop"
    summary = "WeakKeyDictionary[loop, client]"
    expects = Sharing.per_loop_cache  # the client's open connection keeps its key alive

    def __init__(self, kind: ClientKind) -> None:
        super().__init__(kind)
        self._cache: weakref.WeakKeyDictionary[Any, Any] = (
            weakref.WeakKeyDictionary()
        )

    def get_client(self, base_url: str, api_key: str) -> Any:
        loop = asyncio.get_running_loop()
        client = self._cache.get(loop)
        if client is None:
            client = self._cache[loop] = self.new_client(base_url, api_key)
        return client

    def cache_size(self) -> int:
        return len(self._cache)


class PerCall(Strategy):
    name = "per-call"
    summary = "a new client for every call, closed after it (no pooling across calls)"

    def get_client(self, base_url: str, api_key: str) -> Any:
        return self.new_client(base_url, api_key)

    async def release(self, client: Any) -> None:
        await aclose(client)


class ThreadLocal(Strategy):
    name = "thread-local"
    summary = "one client per thread (threading.local)"
    expects = Sharing.thread_reuse

    def __init__(self, kind: ClientKind) -> None:
        super().__init__(kind)
        self._local = threading.local()

    def get_client(self, base_url: str, api_key: str) -> Any:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = self.new_client(base_url, api_key)
        return client


class SyncClient(Strategy):
    name = "sync-client"
    summary = "one blocking client of the same library, called through asyncio.to_thread"

    def __init__(self, kind: ClientKind) -> None:
        super().__init__(kind)
        self._client: Any = None

    @classmethod
    def serves(cls, kind: ClientKind) -> bool:
        return kind.has_sync_client

    def get_client(self, base_url: str, api_key: str) -> Any:
        if self._client is None:
            self._client = self.kind.new_sync(base_url, api_key)
        return self._client

    def ask(self, client: Any, ask: Ask) -> AsyncIterator[str]:
        return _iterate_in_thread(self.kind.ask_sync(client, ask))


async def _iterate_in_thread(iterator: Iterator[T]) -> AsyncIterator[T]:
    done: Any = object()
    while (item := await asyncio.to_thread(next, iterator, done)) is not done:
        yield item


# -- the recommendations, from loopdoctor.recipes ------------------------------------------

class LoopScoped(Strategy):
    name = "loop-scoped"
    summary = "one client per loop, closed by the loop's owner before the loop closes"

    def __init__(self, kind: ClientKind) -> None:
        super().__init__(kind)
        self._config = ("", "")
        self._clients = LoopScopedClients(lambda: self.new_client(*self._config))

    def get_client(self, base_url: str, api_key: str) -> Any:
        self._config = (base_url, api_key)
        return self._clients.get()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self._clients.run(coro)

    def cache_size(self) -> int:
        return len(self._clients)


class Portal(Strategy):
    name = "portal"
    summary = "one background loop owns the client; calls are submitted to it"

    def __init__(self, kind: ClientKind) -> None:
        super().__init__(kind)
        self._config = ("", "")
        self._portal = ClientPortal(lambda: self.new_client(*self._config))

    def get_client(self, base_url: str, api_key: str) -> ClientPortal:
        self._config = (base_url, api_key)
        return self._portal

    async def ask(self, portal: ClientPortal, ask: Ask) -> AsyncIterator[str]:
        async def on_portal(client: Any) -> AsyncIterator[str]:
            return self.kind.ask(client, ask)

        async for piece in portal.iterate(await portal.call(on_portal)):
            yield piece


BUILTINS: dict[str, type[Strategy]] = {
    cls.name: cls
    for cls in (Global, KeyNoLoop, IdLoop, IdLoopChecked, WeakLoop, PerCall, ThreadLocal,
                SyncClient, LoopScoped, Portal)
}


# -- the user's own code ----------------------------------------------------------------------

class LoadError(Exception):
    """A ``MOD:FN`` that cannot be imported or is not callable."""


def load_callable(target: str) -> Callable[..., Any]:
    """Import ``package.module:function``, with the current directory importable."""
    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise LoadError(f"{target!r} is not MODULE:FUNCTION (e.g. myapp.llm:get_client)")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        obj: Any = importlib.import_module(module_name)
    except Exception as exc:
        raise LoadError(f"cannot import {module_name!r}: {type(exc).__name__}: {exc}") from None
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise LoadError(f"{module_name!r} has no attribute {attr!r}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise LoadError(f"{target} is not callable")
    return obj


class Factory(Strategy):
    """The user's ``--factory MOD:FN``: FN(base_url, api_key) -> client, asked the way its kind
    is asked, or by the user's ``--call``."""

    summary = "your factory"

    def __init__(self, target: str, call: CallKind | None = None) -> None:
        self.name = target  # type: ignore[misc]
        self._factory = load_callable(target)
        self._call = call

    def get_client(self, base_url: str, api_key: str) -> Any:
        return self._factory(base_url, api_key)

    def kind_of(self, client: Any) -> ClientKind:
        return self._call or clients.recognise(client)

    def ask(self, client: Any, ask: Ask) -> AsyncIterator[str]:
        return self.kind_of(client).ask(client, ask)


def load_call(target: str) -> CallKind:
    """The user's ``--call MOD:FN``, which must be ``async def FN(client, prompt)``."""
    fn = load_callable(target)
    if not inspect.iscoroutinefunction(fn):
        raise LoadError(f"{target} is not an async function: --call needs "
                        "async def FN(client, prompt) -> str")
    return CallKind(target, fn)


def load_targets(factory: str | None, bridge: str | None, call: str | None) -> None:
    """Import the user's factory, bridge and call; LoadError says what is wrong with one."""
    for target in filter(None, (factory, bridge)):
        load_callable(target)
    if call:
        load_call(call)


def create(name: str, kind: str = clients.DEFAULT, call: str | None = None) -> Strategy:
    """A fresh built-in strategy by name for clients of ``kind``, or the user's ``MOD:FN``
    factory (asked through ``call``, if given)."""
    cls = BUILTINS.get(name)
    if cls is not None:
        return cls(clients.KINDS[kind])
    return Factory(name, load_call(call) if call else None)
