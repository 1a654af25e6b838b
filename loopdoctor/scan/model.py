"""The data that flows through a scan: per-file facts (cached), then findings.

Per-file facts are plain frozen dataclasses so they pickle into the cache and cross
process boundaries cheaply. Qualified names are dotted: ``pkg.mod.func``,
``pkg.mod.Class.method``, ``pkg.mod.Class.attr``, ``pkg.mod.outer.<locals>.inner``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True)
class Site:
    """Where a fact was seen, plus what the baseline fingerprint needs (scope, line text)."""

    line: int
    col: int
    end_line: int
    end_col: int
    scope: str
    text: str


@dataclass(frozen=True)
class Param:
    """A parameter of a function, by position, as a coroutine expression may refer to it."""

    function: str
    index: int
    name: str
    runs: bool = True  # the parameter is the coroutine itself, not a value handed to it


@dataclass(frozen=True)
class CoroRef:
    """What an expression evaluated in one scope can reach (see ``coro.py``).

    runs: functions whose body runs as part of it (the coroutine function, methods called).
    values: objects handed to it, by qualified name (module bindings, ``Class.attr``, and
    the functions whose return value is handed over).
    params: parameters of enclosing functions it mentions; callers decide what they are.
    shared_ctors: constructors of locals created once and handed to code that runs repeatedly
    (a loop, ``executor.map``): the same object then meets more than one event loop.
    annotated: annotations of mentioned parameters (a ``client: AsyncOpenAI`` passed in).
    fresh_classes: classes instantiated right here, whose instance state is not shared.
    """

    runs: frozenset[str] = frozenset()
    values: frozenset[str] = frozenset()
    params: tuple[Param, ...] = ()
    shared_ctors: frozenset[str] = frozenset()
    annotated: frozenset[str] = frozenset()
    fresh_classes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Call:
    """A call to something the project may define; args feed parameter flow."""

    callee: str
    bound: bool  # called through an instance (``self.m(x)``): x is parameter 1
    args: tuple[CoroRef, ...]
    kwargs: tuple[tuple[str, CoroRef], ...]


@dataclass(frozen=True)
class ThreadSubmit:
    """A callable handed to a worker thread (executor, Thread, to_thread, run_in_executor)."""

    site: Site
    target: str
    submitter: str
    bound: bool
    args: tuple[CoroRef, ...]
    kwargs: tuple[tuple[str, CoroRef], ...]


@dataclass(frozen=True)
class LoopStart:
    """``asyncio.run(coro)`` or ``new_event_loop().run_until_complete(coro)`` and friends."""

    site: Site
    api: str  # "asyncio.run", "run_until_complete", "Runner.run"
    coro: CoroRef
    fresh_loop: bool  # the loop is made here (asyncio.run, new_event_loop()), not borrowed
    in_thread: bool  # handed to a thread right here: submit(asyncio.run, coro), a lambda, ...


@dataclass(frozen=True)
class Function:
    qualname: str
    site: Site
    is_async: bool
    cls: str | None  # the class a method belongs to
    params: tuple[str, ...]
    returns: frozenset[str]  # constructors of what it returns, and its return annotation
    refs: frozenset[str]
    calls: tuple[Call, ...]
    checks_running_loop: bool  # get_running_loop()/is_running(): the bridge shape
    entry_point: bool  # main(), a CLI command, a test, a fixture: runs once per process
    sets_event_loop: bool
    get_event_loop_sites: tuple[Site, ...]
    loop_starts: tuple[LoopStart, ...]


@dataclass(frozen=True)
class ClassInfo:
    qualname: str
    bases: tuple[str, ...]
    attr_ctors: tuple[tuple[str, str, Site], ...]  # (attr, constructor, site) from self.attr = C()


@dataclass(frozen=True)
class Construct:
    """A module- or class-level ``name = Ctor(...)``, or a DI ``providers.Singleton(Ctor)``."""

    target: str
    ctor: str
    site: Site
    singleton_provider: bool = False


class KeyKind(Enum):
    """How a cache key (or a singleton slot's guard) involves the running loop."""

    LOOP = "the loop object"
    ID_LOOP = "id(loop)"
    OTHER = "not the loop"


@dataclass(frozen=True)
class CacheWrite:
    """A value stored in a long-lived slot: ``CACHE[k] = v``, ``global X; X = v``, ``cls.X = v``."""

    container: str
    value_ctors: frozenset[str]
    key: KeyKind
    site: Site
    slot: bool = False  # a whole slot (global, class attribute), not an item of a container


@dataclass(frozen=True)
class CachedFactory:
    """A function decorated with lru_cache/cache and what it returns."""

    qualname: str
    decorator: str
    returns: frozenset[str]
    loop_param: bool
    site: Site


@dataclass(frozen=True)
class Suppression:
    line: int
    codes: frozenset[str]  # empty: a bare noqa comment, every code
    kind: str  # "noqa" or "ignore"
    col: int


@dataclass(frozen=True)
class Candidate:
    """A finding a rule decided from one file alone."""

    code: str
    site: Site
    message: str


@dataclass(frozen=True)
class FileFacts:
    path: str
    module: str
    parse_error: Candidate | None = None
    functions: tuple[Function, ...] = ()
    classes: tuple[ClassInfo, ...] = ()
    constructs: tuple[Construct, ...] = ()
    containers: frozenset[str] = frozenset()  # module/class-level dict-like slots
    instance_containers: frozenset[str] = frozenset()  # self._cache = {} (per object)
    closed_slots: frozenset[str] = frozenset()  # slots an owner closes and resets
    weak_containers: frozenset[str] = frozenset()
    cache_writes: tuple[CacheWrite, ...] = ()
    cached_factories: tuple[CachedFactory, ...] = ()
    thread_submits: tuple[ThreadSubmit, ...] = ()
    module_loop_starts: tuple[LoopStart, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()  # module-level imports: (pkg.mod.name, target)
    candidates: tuple[Candidate, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    names: frozenset[str] = frozenset()  # top-level names others may import
    nest_asyncio: bool = False
    script: bool = False  # has an ``if __name__ == "__main__":`` block


@dataclass
class Finding:
    code: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    scope: str = ""
    text: str = ""
    fingerprint: str = ""
    name: str = field(default="")

    @classmethod
    def at(cls, code: str, path: str, site: Site, message: str) -> Finding:
        return cls(code, path, site.line, site.col + 1, site.end_line, site.end_col + 1,
                   message, site.scope, site.text)

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)
