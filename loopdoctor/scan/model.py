"""The data that flows through a scan: per-file facts (cached), then findings.

Per-file facts are plain frozen dataclasses (``Value``, the most numerous, a named tuple)
so they pickle into the cache and cross process boundaries cheaply. Qualified names are
dotted: ``pkg.mod.func``, ``pkg.mod.Class.method``, ``pkg.mod.Class.attr``,
``pkg.mod.outer.<locals>.inner``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from loopdoctor.scan.finding import Finding as Finding  # in a module of its own: see there


class KeyKind(Enum):
    """How a cache key (or a singleton slot's guard) involves the running loop."""

    LOOP = "the loop object"
    ID_LOOP = "id(loop)"
    OTHER = "not the loop"
    TASK = "the current task, whose entry that task removes"


@dataclass(frozen=True)
class Site:
    """Where a fact was seen, plus what the baseline fingerprint needs (scope, line text)."""

    line: int
    col: int
    end_line: int
    end_col: int
    scope: str
    text: str


class Op(str, Enum):
    """How a ``Value`` is obtained. (A ``str`` enum for ``str``'s hash, in C: the join's memo
    hashes values millions of times, and ``Enum``'s hash is Python code.)"""

    CALL = "the result of calling"  # name(...): an instance, or what a function returns;
    # index 1: the call names the loop the object is for (``loop=self._loop``);
    # parts: the current loop, when a ``loop=`` keyword gives it (``loop=get_event_loop()``)
    NAME = "the object bound to"  # a module global, a class attribute, ``mod.C.attr`` on instances
    ATTR = "an attribute of"  # parts[0].name, where parts[0] is a local the file cannot name
    PARAM = "a parameter of"  # parameter ``index`` of function ``name``
    ITEM = "an item of"  # parts[0][key], parts[0].get(key)
    ELEM = "an element of"  # parts[0][index], or the index-th name of an unpacking
    TUPLE = "a tuple of"  # (parts...)
    ANY = "one of"  # any of parts (a tuple element with several possible values)
    ANNOTATED = "a value annotated as"  # name is the annotation's type
    LOOP = "an event loop from"  # name() is a loop getter; index 1: inside a try for no loop
    EXCEPT = "not an instance of"  # parts[0] where ``isinstance(.., name)`` was false (an else)


class Value(NamedTuple):
    """What an expression evaluates to, symbolically: the join resolves it to types across
    files (``project.Types``). Names are qualified as the file resolves them.

    A named tuple, not a dataclass: the join's memo hashes and compares values millions of
    times, and a tuple does both in C (a frozen dataclass's ``__hash__`` and ``__eq__`` are
    Python code, all the way down its parts). The hash is the same number either way (that
    of the tuple of its fields), so sets and dicts of values keep their order."""

    op: Op
    name: str = ""
    index: int = 0
    parts: tuple[Value, ...] = ()
    line: int = 0  # where it was made (CALL, LOOP) or written (ANNOTATED)


Values = tuple[Value, ...]


ANY_METHOD = "*"  # ``obj.*`` in ``CoroRef.runs``: whichever coroutine method a name picks


@dataclass(frozen=True)
class Param:
    """A parameter of a function, by position, as a coroutine expression may refer to it."""

    function: str
    index: int
    name: str
    runs: bool = True  # the parameter is the coroutine itself, not a value handed to it
    annotation: frozenset[str] = frozenset()  # the names its annotation mentions
    called: bool = False  # the parameter is called to make the coroutine: ``fn(*args)``


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
    """A call to something the project may define: an edge from its caller, recorded for
    every call (``f()`` too); args feed parameter flow: the coroutines they carry (``args``)
    and the objects they are (``values``)."""

    callee: str
    bound: bool  # called through an instance (``self.m(x)``): x is parameter 1
    args: tuple[CoroRef, ...]
    kwargs: tuple[tuple[str, CoroRef], ...]
    values: tuple[Values, ...] = ()
    kwvalues: tuple[tuple[str, Values], ...] = ()
    site: Site | None = None
    through_super: bool = False  # ``super().m(x)``: the base's ``m`` only, no override of it

    @property
    def carries(self) -> bool:
        """Does an argument carry a coroutine or an object (not only constants, or none)?"""
        return bool(self.kwargs or self.kwvalues or any(self.values)
                    or any(arg != _NOTHING for arg in self.args))


_NOTHING = CoroRef()


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
    per_thread: bool = False  # the calling thread's loop, made and set when it has none
    repeated: bool = False  # in a for/while body of its function: one loop per pass
    captured_from: str = ""  # the enclosing function whose ``get_event_loop()`` it runs on


@dataclass(frozen=True)
class LoopCall:
    """A call that matters to which thread touches a loop: one that only the loop's own thread
    may make (``loop.create_task``, ``event.set()``, ``asyncio.create_task``), one that says
    which loop a thread runs (``set_event_loop(loop)``, ``loop.run_forever()``,
    ``new_event_loop()``), and one that hands callables to a loop (``call_soon_threadsafe(f)``)."""

    site: Site
    method: str  # the method called, or the qualified function (``asyncio.create_task``)
    receiver: Values = ()  # what it is called on; set_event_loop, a thread's run_forever: the loop
    text: str = ""  # the receiver as written
    handed: tuple[str, ...] = ()  # callables it hands to the loop, as the file names them
    thread_asked: bool = False  # on the branch for one thread the function asks for
    # (``if thread is threading.current_thread():``): the thread that runs the loop


@dataclass(frozen=True)
class Function:
    qualname: str
    site: Site
    is_async: bool
    cls: str | None  # the class a method belongs to
    params: tuple[str, ...]
    returns: Values  # what its return statements return, and its return annotation
    returns_key: KeyKind  # a key it builds involves the running loop (a cache-key helper)
    refs: frozenset[str]
    calls: tuple[Call, ...]
    checks_running_loop: bool  # get_running_loop()/is_running(): the bridge shape
    entry_point: bool  # main(), a CLI command, a test, a fixture: runs once per process
    setup: bool  # __init__, __post_init__, a pydantic validator: makes an object, synchronously
    sets_event_loop: bool
    get_event_loop_sites: tuple[Site, ...]
    loop_starts: tuple[LoopStart, ...]
    decorators: tuple[str, ...] = ()  # project decorators, ``name()`` when called: ``@d(x)``
    positional: int | None = None  # of ``params``, those a call may pass by position (all: None)
    brief_holds: frozenset[str] = frozenset()  # only ``async with NAME:`` that never suspends
    get_event_loop_guarded: bool = False  # one is inside ``try ... except RuntimeError``
    get_event_loop_unset: tuple[Site, ...] = ()  # those no ``set_event_loop()`` precedes here
    fresh_loop_preferred: bool = False  # ``asyncio.run`` tried first (in such a ``try``), or
    # chosen by the Python version (``if sys.version_info >= (3, 7):``)
    browser_only: bool = False  # runs only under Pyodide (imports ``js``; a ``pyodide`` package)
    warns_running_loop: bool = False  # its docstring says: not where an event loop runs
    loop_calls: tuple[LoopCall, ...] = ()
    refuses: frozenset[tuple[str, str]] = frozenset()  # ``if isinstance(self.db, T): raise``
    # as a statement of its body: (the attribute, T)
    refuses_given: tuple[tuple[int, int], ...] = ()  # ``if session is not None: raise``
    # as a statement of its body: (the parameter's index, the line of the test)

    def by_position(self, index: int) -> bool:
        """May a call pass parameter ``index`` by position (not a keyword-only one)?"""
        return self.positional is None or index < self.positional


@dataclass(frozen=True)
class ClassInfo:
    qualname: str
    bases: tuple[str, ...]
    metaclass: str | None = None
    decorators: tuple[str, ...] = ()
    entered_async: bool = False  # its docstring shows it made in ``async with Name(...)``


class Guard(Enum):
    """What a get-or-create tests before it makes the object again."""

    MISSING = "only when missing"  # if self._c is None
    CLOSED = "only when missing or closed"  # if self._c is None or self._c.is_closed
    LOOP_CLOSED = "only when missing, closed or its loop closed"  # or self._c._loop.is_closed()


class Bind(Enum):
    """Where a value is bound to a name that outlives a call."""

    MODULE = "at module level"  # x = v, at import time
    CLASS = "at class level"  # class C: x = v (a dataclass field's default too)
    DEFAULT = "as a default argument"  # def f(loop=get_event_loop()): evaluated at import
    ANNOTATION = "by annotation"  # x: T, self.x: T, a pydantic or dataclass field
    INSTANCE = "on the instance"  # self.x = v, in a method of the class
    GLOBAL = "in a global slot"  # global x; x = v, in a function
    CLASS_SLOT = "in an attribute of a class or module"  # cls.x = v, C.x = v, module.x = v

    @property
    def at_import(self) -> bool:
        return self in (Bind.MODULE, Bind.CLASS, Bind.DEFAULT)

    @property
    def slot(self) -> bool:
        return self in (Bind.GLOBAL, Bind.CLASS_SLOT)


@dataclass(frozen=True)
class Binding:
    """``target`` (``mod.x``, ``mod.C.x``) may hold ``values``, bound as ``kind`` says."""

    target: str
    values: Values
    site: Site
    kind: Bind
    key: KeyKind = KeyKind.OTHER  # a slot's writer compares the stored loop with the running one
    lazy: Guard | None = None  # written by a function that tests the target first: get-or-create
    provider: bool = False  # a DI ``providers.Singleton(Ctor)``: values are what it provides
    in_loop: bool = False  # written under ``if <a loop is running>:``


@dataclass(frozen=True)
class CacheWrite:
    """A value stored as an item: ``CACHE[k] = v``, ``CACHE.setdefault(k, v)``."""

    container: str
    values: Values
    key: KeyKind
    site: Site
    key_values: Values = ()  # what the key is made of: a parameter, a key-building helper
    keeps_loop: bool = False  # the value keeps the loop beside the object: (client, loop)
    over: Values = ()  # what the value is made over: ``async_sessionmaker(bind=engine)``


@dataclass(frozen=True)
class AsyncUse:
    """An object used the way only an async client is: ``await x.chat.completions.create()``,
    ``await x.post(...)``, ``async with x.stream(...)``."""

    values: Values  # the object x
    how: str  # the method, as written after x
    site: Site


@dataclass(frozen=True)
class CachedFactory:
    """A function decorated with lru_cache/cache and what it returns."""

    qualname: str
    decorator: str
    loop_param: bool
    site: Site


@dataclass(frozen=True)
class Suppression:
    line: int
    codes: frozenset[str]  # empty: a bare noqa comment, every code
    kind: str  # "noqa" or "ignore"
    col: int


EVERY_PYTHON = (4, 0)


@dataclass(frozen=True)
class Candidate:
    """A finding a rule decided from one file alone."""

    code: str
    site: Site
    message: str
    python_below: tuple[int, int] = EVERY_PYTHON  # a hazard only on Python before this one


@dataclass(frozen=True)
class FileFacts:
    path: str
    module: str
    parse_error: Candidate | None = None
    functions: tuple[Function, ...] = ()
    classes: tuple[ClassInfo, ...] = ()
    bindings: tuple[Binding, ...] = ()
    containers: frozenset[str] = frozenset()  # module/class-level dict-like slots
    instance_containers: frozenset[str] = frozenset()  # self._cache = {} (per object)
    closed_slots: frozenset[str] = frozenset()  # slots an owner closes and resets
    pool_resets: tuple[Values, ...] = ()  # objects a coroutine awaits ``x.dispose()`` on
    weak_containers: frozenset[str] = frozenset()
    cache_writes: tuple[CacheWrite, ...] = ()
    async_uses: tuple[AsyncUse, ...] = ()
    cached_factories: tuple[CachedFactory, ...] = ()
    thread_submits: tuple[ThreadSubmit, ...] = ()
    module_loop_starts: tuple[LoopStart, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()  # module-level imports: (pkg.mod.name, target)
    candidates: tuple[Candidate, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    names: frozenset[str] = frozenset()  # top-level names others may import
    star_imports: tuple[str, ...] = ()  # the modules of its top level's ``from m import *``
    nest_asyncio: bool = False
    script: bool = False  # has an ``if __name__ == "__main__":`` block
    tables: tuple[tuple[str, frozenset[str]], ...] = ()  # module/class-level names whose value
    # mentions project names without calling them (a table of callables): (name, mentioned)
    routes: tuple[tuple[str, str], ...] = ()  # handed to a server by call: (the call, what it
    # registers): a request handler (``add_api_route("/x", f)``), a class-based view, or a
    # gRPC servicer's class ("", the class)
    signal_handlers: tuple[str, ...] = ()  # given to ``signal.signal`` / ``add_signal_handler``
    import_calls: tuple[str, ...] = ()  # project names the module's or a class's body calls,
    # run when the module is imported or run as a script (a program's start)
