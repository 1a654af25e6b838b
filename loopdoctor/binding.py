"""Which event loop each loop-bound client belongs to.

A registry of patched methods, switched on with :func:`activate` and off with
:func:`deactivate`: creating a tracked client records where and on which loop it was made;
its first request binds it to that request's loop (its *owner*). A later request from another
loop, or from the owner after it closed, is a *foreign use*, handed to the listener given to
:func:`activate`. The harness listens to explain failures and count leaks; the guard listens
to raise ``CrossLoopError``.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
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
             "/asyncio/", "/concurrent/", "/threading.py", "/loopdoctor/binding.py",
             "/loopdoctor/guard.py", "/_pytest/", "/pluggy/")


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


def loops() -> list[LoopInfo]:
    with _lock:
        return sorted(_loops.values(), key=lambda info: info.number)


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
        foreign = binding.owner is not current
        if foreign:
            binding.foreign_uses.append(current)
        listeners = list(_listeners)
    if foreign:
        for listener in listeners:
            listener(binding, current)
    return binding


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


# (module, class, method, wrapper): every loop-bound class the registry knows how to track.
TARGETS: list[tuple[str, str, str, Callable[[Callable[..., Any], str], Callable[..., Any]]]] = [
    ("httpx", "AsyncClient", "__init__", _tracked_init),
    ("httpx", "AsyncClient", "send", _tracked_send),
    ("httpx2", "AsyncClient", "__init__", _tracked_init),
    ("httpx2", "AsyncClient", "send", _tracked_send),
]


def _importable(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def activate(listener: Listener | None = None, *, lazy: bool = False) -> None:
    """Patch every target (once) and add ``listener`` to those told of foreign use.

    A target module not imported yet is imported now, or, with ``lazy``, patched right after
    its first import, so a process that never uses it never pays for importing it.
    """
    with _lock:
        if listener is not None and listener not in _listeners:
            _listeners.append(listener)
        _patch_targets(import_missing=not lazy)
        if lazy and _import_watcher not in sys.meta_path:
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


def _patch_targets(import_missing: bool) -> None:
    for module_name, class_name, method, wrap in TARGETS:
        module = _importable(module_name) if import_missing else sys.modules.get(module_name)
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
                _patch_targets(import_missing=False)


_import_watcher = _ImportWatcher()


def active() -> bool:
    return bool(_originals)


def reset() -> None:
    """Forget every recorded loop and binding (the patches stay as they are)."""
    with _lock:
        _loops.clear()
        _bindings.clear()
        created.clear()


def live(kind_prefix: str = "") -> Iterator[tuple[Binding, Any]]:
    for binding in bindings():
        obj = binding.ref()
        if obj is not None and binding.kind.startswith(kind_prefix):
            yield binding, obj
