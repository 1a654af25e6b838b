"""Which event loop each loop-bound object belongs to.

A registry of patched methods, switched on with :func:`activate` and off with
:func:`deactivate`: creating a tracked object records where and on which loop it was made, and
its *owner* loop is fixed the way the object itself binds to a loop: an httpx/httpx2 client by
its first request, an ``aiohttp.ClientSession`` by the loop it was created on, an asyncio
primitive made outside any loop (Lock, Event, Condition, Semaphore, Queue, Barrier) by the first
task that waits on it (asyncio's own ``_LoopBoundMixin._get_loop``). A later use from another
loop, or from the owner after it closed, is a *foreign use*, handed to the listener given to
:func:`activate`. The harness listens to explain failures and count leaks; the guard listens
to raise ``CrossLoopError``.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import itertools
import os
import sys
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

STACK_DEPTH = 4  # user frames kept from the creation site
_INTERNAL = ("/httpx/", "/httpx2/", "/httpcore/", "/httpcore2/", "/openai/", "/anthropic/",
             "/aiohttp/", "/anyio/",
             "/asyncio/", "/concurrent/", "/threading.py", "/loopdoctor/guard/",
             "/_pytest/", "/pluggy/")


@dataclass(frozen=True, eq=False)
class LoopInfo:
    """A loop as people can name it: ``loop#2 (thread Thread-3)``."""

    ref: weakref.ref[asyncio.AbstractEventLoop]
    number: int
    thread: str

    @property
    def label(self) -> str:
        return f"loop#{self.number} (thread {self.thread})"

    @property
    def closed(self) -> bool:
        loop = self.ref()
        return loop is None or loop.is_closed()


@dataclass(eq=False)
class Binding:
    """What is known about one tracked object."""

    kind: str
    ref: weakref.ref[Any]
    created_at: tuple[str, ...]
    created_thread: str
    created_loop: LoopInfo | None
    owner: LoopInfo | None = None
    foreign_uses: list[LoopInfo] = field(default_factory=list)
    tracked_late: bool = False  # made before tracking began: created_at is its first use

    @property
    def where(self) -> str:
        return self.created_at[-1] if self.created_at else "<unknown>"


Listener = Callable[[Binding, LoopInfo], None]

_lock = threading.RLock()
_loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopInfo] = (
    weakref.WeakKeyDictionary()
)
_bindings: weakref.WeakKeyDictionary[Any, Binding] = weakref.WeakKeyDictionary()
_loop_numbers = itertools.count(1)
created: Counter[str] = Counter()  # objects created per kind, alive or not
_listeners: list[Listener] = []
_originals: dict[tuple[type, str], Any] = {}


def loop_info(loop: asyncio.AbstractEventLoop, thread: str | None = None) -> LoopInfo:
    """The registry's name for ``loop``, given on first sight (by default, from its own thread)."""
    with _lock:
        info = _loops.get(loop)
        if info is None:
            thread = thread or threading.current_thread().name
            info = LoopInfo(weakref.ref(loop), next(_loop_numbers), thread)
            _loops[loop] = info
        return info


def bindings() -> list[Binding]:
    """Every tracked object still alive."""
    with _lock:
        return [b for b in _bindings.values() if b.ref() is not None]


def binding_of(obj: object) -> Binding | None:
    with _lock:
        return _bindings.get(obj)


def short_path(site: str) -> str:
    """A ``path[:line in fn]`` as people read it: from the package down when installed,
    relative to the working directory when under it, else as it is."""
    for marker in ("site-packages/", "dist-packages/"):
        if marker in site:
            return site.split(marker, 1)[1]
    cwd = os.getcwd() + os.sep
    return site[len(cwd):] if site.startswith(cwd) else site


def creation_site(frame: FrameType | None, depth: int = STACK_DEPTH) -> tuple[str, ...]:
    """The innermost ``depth`` frames outside the HTTP stack, outermost first."""
    sites: list[str] = []
    while frame is not None and len(sites) < depth:
        path = frame.f_code.co_filename
        if not any(part in path for part in _INTERNAL):
            sites.append(f"{path}:{frame.f_lineno} in {frame.f_code.co_name}")
        frame = frame.f_back
    return tuple(reversed(sites))


def _running_loop_info() -> LoopInfo | None:
    loop = asyncio._get_running_loop()
    return None if loop is None else loop_info(loop)


def record_creation(obj: object, kind: str, tracked_late: bool = False) -> Binding:
    binding = Binding(
        kind=kind,
        ref=weakref.ref(obj),
        created_at=creation_site(sys._getframe(2)),
        created_thread=threading.current_thread().name,
        created_loop=_running_loop_info(),
        tracked_late=tracked_late,
    )
    with _lock:
        _bindings[obj] = binding
        created[kind] += 1
    return binding


def record_use(obj: object, kind: str) -> Binding:
    """Bind ``obj`` to the running loop on first use; report any later use from elsewhere."""
    current = loop_info(asyncio.get_running_loop())
    with _lock:
        binding = _bindings.get(obj) or record_creation(obj, kind, tracked_late=True)
        if binding.owner is None:
            binding.owner = current
            return binding
        if binding.owner is current:
            return binding
    _report_foreign_use(binding, current)
    return binding


def _report_foreign_use(binding: Binding, user: LoopInfo) -> None:
    with _lock:
        binding.foreign_uses.append(user)
        listeners = list(_listeners)
    for listener in listeners:
        listener(binding, user)


def thread_name_of(loop: asyncio.AbstractEventLoop) -> str:
    """The name of the thread running ``loop`` now, or "?" when it is not running."""
    ident = getattr(loop, "_thread_id", None)
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    return names.get(ident, "?") if ident is not None else "?"


# -- the patches ---------------------------------------------------------------------------

def _tracked_init(original: Callable[..., None], kind: str) -> Callable[..., None]:
    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        record_creation(self, kind)

    return __init__


def _tracked_send(original: Callable[..., Any], kind: str) -> Callable[..., Any]:
    @functools.wraps(original)
    async def send(self: Any, *args: Any, **kwargs: Any) -> Any:
        record_use(self, kind)
        return await original(self, *args, **kwargs)

    return send


def _tracked_init_owned_there(original: Callable[..., None], kind: str) -> Callable[..., None]:
    """For objects bound to a loop as they are made (their ``_loop``), not by their first use."""

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        binding = record_creation(self, kind)
        own_loop = getattr(self, "_loop", None) or asyncio._get_running_loop()
        if own_loop is not None:
            binding.owner = loop_info(own_loop)

    return __init__


# -- asyncio primitives ----------------------------------------------------------------------
# asyncio binds a Lock/Event/... to a loop in _LoopBoundMixin._get_loop (3.10+), but only when a
# task must wait, so a primitive shared by two loops fails only under contention: "is bound to
# a different event loop" when a task of the second loop waits, a hang when it wakes a waiter
# of the first loop from its own thread (release, set, put_nowait, ... never reach _get_loop;
# the wakeup is lost). The guard makes that deterministic: a primitive made outside any loop
# belongs to the loop that first uses it, and any public operation from another loop is a
# foreign use. Such a primitive becomes an instance of a subclass that checks each operation;
# primitives made inside a running loop stay as they are and cost one check at creation.

_STATE_QUERIES = frozenset({"locked", "is_set", "qsize", "empty", "full"})
_guarded_classes: dict[type, type] = {}


def _tracked_primitive_init(original: Callable[..., None], kind: str) -> Callable[..., None]:
    running_loop = asyncio._get_running_loop

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if running_loop() is None and not hasattr(type(self), "_loopdoctor_base"):
            record_creation(self, _primitive_kind(type(self)))
            self.__class__ = _guarded_class(type(self))

    return __init__


def _primitive_kind(cls: type) -> str:
    """``asyncio.<class>`` of the nearest asyncio class: a user's subclass is named by its base."""
    asyncio_class = next(c for c in cls.__mro__ if c.__module__.startswith("asyncio."))
    return f"asyncio.{asyncio_class.__qualname__}"


def _guarded_class(cls: type) -> type:
    with _lock:
        guarded = _guarded_classes.get(cls)
        if guarded is None:
            guarded = type(cls.__name__, (cls,), _guarded_namespace(cls))
            _guarded_classes[cls] = guarded
        return guarded


def _guarded_namespace(cls: type) -> dict[str, Any]:
    namespace: dict[str, Any] = {
        name: _checked(function)
        for name, function in inspect.getmembers(cls, inspect.isfunction)
        if (not name.startswith("_") and name not in _STATE_QUERIES) or name == "_get_loop"
    }
    namespace.update(__module__=cls.__module__, __qualname__=cls.__qualname__, __slots__=(),
                     _loopdoctor_base=cls, _loopdoctor_owner=None)
    return namespace


def _checked(operation: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(operation):

        @functools.wraps(operation)
        async def checked_coroutine(self: Any, *args: Any, **kwargs: Any) -> Any:
            check_primitive(self)
            return await operation(self, *args, **kwargs)

        return checked_coroutine

    @functools.wraps(operation)
    def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
        check_primitive(self)
        return operation(self, *args, **kwargs)

    return checked


def check_primitive(primitive: Any) -> None:
    """Bind a tracked primitive to the running loop on first use; report a use from another."""
    current = asyncio._get_running_loop()
    if current is None:
        return
    owner = primitive._loopdoctor_owner  # a weak reference to the loop, or None
    if owner is not None and owner() is current:
        return
    record_use(primitive, _primitive_kind(type(primitive)))
    with _lock:
        if primitive._loopdoctor_owner is None:
            primitive._loopdoctor_owner = weakref.ref(current)


def _restore_primitive_classes() -> None:
    for binding in bindings():
        obj = binding.ref()
        base = getattr(type(obj), "_loopdoctor_base", None)
        if base is not None:
            obj.__class__ = base
            vars(obj).pop("_loopdoctor_owner", None)


Wrapper = Callable[[Callable[..., Any], str], Callable[..., Any]]

# (module, class, method, wrapper): every loop-bound class the registry knows how to track.
TARGETS: list[tuple[str, str, str, Wrapper]] = [
    ("httpx", "AsyncClient", "__init__", _tracked_init),
    ("httpx", "AsyncClient", "send", _tracked_send),
    ("httpx2", "AsyncClient", "__init__", _tracked_init),
    ("httpx2", "AsyncClient", "send", _tracked_send),
    ("aiohttp", "ClientSession", "__init__", _tracked_init_owned_there),
    ("aiohttp", "ClientSession", "_request", _tracked_send),
    ("aiohttp", "ClientSession", "_ws_connect", _tracked_send),
    # BoundedSemaphore and the Queue subclasses go through these __init__s too.
    *(("asyncio", name, "__init__", _tracked_primitive_init)
      for name in ("Lock", "Event", "Condition", "Semaphore", "Queue", "Barrier")),
]


def activate(listener: Listener | None = None) -> None:
    """Patch every target (once) and add ``listener`` to those told of foreign use.

    A target module not imported yet is patched right after its first import, never imported
    for the guard's sake: a process that never uses aiohttp must not pay 150 ms to import it.
    """
    with _lock:
        if listener is not None and listener not in _listeners:
            _listeners.append(listener)
        _patch_targets()
        if _import_watcher not in sys.meta_path:
            sys.meta_path.insert(0, _import_watcher)


def deactivate(listener: Listener | None = None) -> None:
    """Remove ``listener``; with no listener left (or none given), restore every original."""
    with _lock:
        if listener in _listeners:
            _listeners.remove(listener)
        if listener is not None and _listeners:
            return
        _listeners.clear()
        if _import_watcher in sys.meta_path:
            sys.meta_path.remove(_import_watcher)
        for (cls, method), original in _originals.items():
            setattr(cls, method, original)
        _originals.clear()
        _restore_primitive_classes()


def _patch_targets() -> None:
    for module_name, class_name, method, wrap in TARGETS:
        module = sys.modules.get(module_name)
        cls = getattr(module, class_name, None) if module else None
        if cls is None or (cls, method) in _originals:
            continue
        original = cls.__dict__[method]
        _originals[(cls, method)] = original
        setattr(cls, method, wrap(original, f"{module_name}.{class_name}"))


class _ImportWatcher:  # a sys.meta_path finder
    """Patches a target module as soon as its first import has executed it."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in {module for module, *_ in TARGETS}:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _PatchAfterExec(spec.loader)
                return spec
        return None


class _PatchAfterExec:  # a loader wrapping the real one
    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def __getattr__(self, name: str) -> Any:  # resource readers and the like
        return getattr(self._loader, name)

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        with _lock:
            if _import_watcher in sys.meta_path:
                _patch_targets()


_import_watcher = _ImportWatcher()


def active() -> bool:
    return bool(_originals)


def reset() -> None:
    """Forget every recorded loop and binding (the patches stay as they are)."""
    with _lock:
        _loops.clear()
        _bindings.clear()
        created.clear()


def live() -> Iterator[tuple[Binding, Any]]:
    """Every tracked object still alive, with what is known about it."""
    for binding in bindings():
        obj = binding.ref()
        if obj is not None:
            yield binding, obj
