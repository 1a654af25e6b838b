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
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from loopdoctor.recipes import ClientPortal, LoopScopedClients
from loopdoctor.run.verdict import ERROR_OR_MASKED, Expected, Outcome, Stacked

if TYPE_CHECKING:  # imported where clients are made: the CLI plans a run without the SDK
    import openai

T = TypeVar("T")
Bridge = Callable[[Coroutine[Any, Any, Any]], Any]


class Strategy:
    """A way to obtain a client. Subclasses set ``name``, ``summary`` and ``expected``."""

    name: ClassVar[str]
    summary: ClassVar[str]
    expected: ClassVar[dict[str, Expected]] = {}  # scenario name -> outcome; PASS if absent
    # The same under a transport mock (--endpoint respx): with no pool, nothing can break and no
    # connection keeps a loop alive; only the clients a strategy keeps for dead loops leak.
    expected_with_mock: ClassVar[dict[str, Expected]] = {}

    def get_client(self, base_url: str, api_key: str) -> Any:
        raise NotImplementedError

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
            yield client
        finally:
            await self.release(client)

    @classmethod
    def expected_outcome(cls, scenario: str, generation: int, endpoint: str) -> Outcome:
        table = cls.expected_with_mock if endpoint == "respx" else cls.expected
        expected = table.get(scenario, Outcome.PASS)
        return expected if isinstance(expected, Outcome) else expected.on(generation)


# What sharing one pool across loops does, measured on both stacks (README, `loopdoctor run`).
# A closed or blocked owner loop: an error (openai 3.x), retried until it passes (2.x). Two live
# loops on a one-connection pool: a lost wakeup, a hang. openai 2.x streams do not reuse the
# connection they came on, so a streamed bridge gets a fresh one there.
SHARED_POOL: dict[str, Expected] = {
    "cli-sequential": ERROR_OR_MASKED,
    "gateway-bridge": ERROR_OR_MASKED,
    "gateway-bridge-stream": Stacked(v3=Outcome.ERROR, v2=Outcome.PASS),
    "gateway-return": ERROR_OR_MASKED,
    "gateway-executor": ERROR_OR_MASKED,
    "loop-churn": ERROR_OR_MASKED,
    "gateway-to-thread": Outcome.HANG,
    "threadpool": Outcome.HANG,
    "threadpool-stream": Outcome.HANG,
    "concurrent-loops": Outcome.HANG,
    "concurrent-held": Outcome.HANG,
}
# One client per loop, never closed: every loop that dies leaves its client and socket behind.
PER_LOOP_CACHE: dict[str, Expected] = dict.fromkeys(SHARED_POOL, Outcome.LEAK)
# One client per thread: fails where a thread runs loop after loop.
THREAD_REUSE: dict[str, Expected] = {
    "cli-sequential": ERROR_OR_MASKED,
    "gateway-executor": ERROR_OR_MASKED,
    "threadpool": ERROR_OR_MASKED,
    "threadpool-stream": Stacked(v3=Outcome.ERROR, v2=Outcome.PASS),
}


def new_client(base_url: str, api_key: str) -> openai.AsyncOpenAI:
    import openai

    return openai.AsyncOpenAI(base_url=base_url, api_key=api_key)


# -- the patterns found in real code ---------------------------------------------------------

class Global(Strategy):
    name = "global"
    summary = "one module-level client, created on first use"
    expected = SHARED_POOL

    def __init__(self) -> None:
        self._client: openai.AsyncOpenAI | None = None

    def get_client(self, base_url: str, api_key: str) -> openai.AsyncOpenAI:
        if self._client is None:
            self._client = new_client(base_url, api_key)
        return self._client


class KeyNoLoop(Strategy):
    name = "key-no-loop"
    summary = "a dict of clients keyed by configuration (base_url, api_key), not by loop"
    expected = SHARED_POOL

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], openai.AsyncOpenAI] = {}

    def get_client(self, base_url: str, api_key: str) -> openai.AsyncOpenAI:
        key = (base_url, api_key)
        if key not in self._cache:
            self._cache[key] = new_client(base_url, api_key)
        return self._cache[key]

    def cache_size(self) -> int:
        return len(self._cache)


class IdLoop(Strategy):
    name = "id-loop"
    summary = "the cache key includes id(running loop)"
    expected = expected_with_mock = PER_LOOP_CACHE

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, int], openai.AsyncOpenAI] = {}

    def get_client(self, base_url: str, api_key: str) -> openai.AsyncOpenAI:
        key = (base_url, api_key, id(asyncio.get_running_loop()))
        if key not in self._cache:
            self._cache[key] = new_client(base_url, api_key)
        return self._cache[key]

    def cache_size(self) -> int:
        return len(self._cache)


class IdLoopChecked(Strategy):
    name = "id-loop-checked"
    summary = "id(loop) key, the stored loop checked with `is`, oldest entry evicted past 32"
    expected = expected_with_mock = PER_LOOP_CACHE
    max_entries = 32

    def __init__(self) -> None:
        self._cache: OrderedDict[tuple[str, str, int], tuple[Any, openai.AsyncOpenAI]] = (
            OrderedDict()
        )

    def get_client(self, base_url: str, api_key: str) -> openai.AsyncOpenAI:
        loop = asyncio.get_running_loop()
        key = (base_url, api_key, id(loop))
        entry = self._cache.get(key)
        if entry is not None and entry[0] is loop:
            return entry[1]
        client = new_client(base_url, api_key)
        self._cache[key] = (loop, client)
        if len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return client

    def cache_size(self) -> int:
        return len(self._cache)


class WeakLoop(Strategy):
    name = "weak-loop"
    summary = "WeakKeyDictionary[loop, client]"
    expected = PER_LOOP_CACHE  # the client's open connection keeps its dead loop, the key, alive

    def __init__(self) -> None:
        self._cache: weakref.WeakKeyDictionary[Any, openai.AsyncOpenAI] = (
            weakref.WeakKeyDictionary()
        )

    def get_client(self, base_url: str, api_key: str) -> openai.AsyncOpenAI:
        loop = asyncio.get_running_loop()
        client = self._cache.get(loop)
        if client is None:
            client = self._cache[loop] = new_client(base_url, api_key)
        return client

    def cache_size(self) -> int:
        return len(self._cache)


class PerCall(Strategy):
    name = "per-call"
    summary = "a new client for every call, closed after it (no pooling across calls)"

    def get_client(self, base_url: str, api_key: str) -> openai.AsyncOpenAI:
        return new_client(base_url, api_key)

    async def release(self, client: Any) -> None:
        await client.close()


class ThreadLocal(Strategy):
    name = "thread-local"
    summary = "one client per thread (threading.local)"
    expected = THREAD_REUSE

    def __init__(self) -> None:
        self._local = threading.local()

    def get_client(self, base_url: str, api_key: str) -> openai.AsyncOpenAI:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = new_client(base_url, api_key)
        return client


class SyncClient(Strategy):
    name = "sync-client"
    summary = "one sync OpenAI client; async code calls it through asyncio.to_thread"

    def __init__(self) -> None:
        self._client: openai.OpenAI | None = None

    def get_client(self, base_url: str, api_key: str) -> Any:
        if self._client is None:
            import openai

            self._client = openai.OpenAI(base_url=base_url, api_key=api_key)
        return _chat_facade(_threaded_create(self._client))


def _threaded_create(client: openai.OpenAI) -> Callable[..., Awaitable[Any]]:
    async def create(**kwargs: Any) -> Any:
        result = await asyncio.to_thread(client.chat.completions.create, **kwargs)
        return _iterate_in_thread(iter(result)) if kwargs.get("stream") else result

    return create


async def _iterate_in_thread(iterator: Any) -> AsyncIterator[Any]:
    done = object()
    while (item := await asyncio.to_thread(next, iterator, done)) is not done:
        yield item


def _chat_facade(create: Callable[..., Awaitable[Any]]) -> Any:
    """An object with ``.chat.completions.create``, for clients that are not an AsyncOpenAI."""
    return SimpleNamespace(chat=SimpleNamespace(completions=SimpleNamespace(create=create)))


# -- the recommendations, from loopdoctor.recipes ------------------------------------------

class LoopScoped(Strategy):
    name = "loop-scoped"
    summary = "one client per loop, closed by the loop's owner before the loop closes"

    def __init__(self) -> None:
        self._config = ("", "")
        self._clients = LoopScopedClients(lambda: new_client(*self._config))

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

    def __init__(self) -> None:
        self._config = ("", "")
        self._portal = ClientPortal(lambda: new_client(*self._config))

    def get_client(self, base_url: str, api_key: str) -> Any:
        self._config = (base_url, api_key)
        portal = self._portal

        async def create(**kwargs: Any) -> Any:
            result = await portal.call(lambda client: client.chat.completions.create(**kwargs))
            return portal.iterate(result) if kwargs.get("stream") else result

        return _chat_facade(create)


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
    """The user's ``--factory MOD:FN``: FN(base_url, api_key) -> client."""

    summary = "your factory"

    def __init__(self, target: str) -> None:
        self.name = target  # type: ignore[misc]
        self._factory = load_callable(target)

    def get_client(self, base_url: str, api_key: str) -> Any:
        return self._factory(base_url, api_key)


def create(name: str) -> Strategy:
    """A fresh built-in strategy by name, or the user's ``MOD:FN`` factory."""
    cls = BUILTINS.get(name)
    return cls() if cls is not None else Factory(name)
