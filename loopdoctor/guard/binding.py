"""Which event loop each loop-bound object belongs to.

A registry of patched methods, switched on with :func:`activate` and off with
:func:`deactivate`: creating a tracked object records where and on which loop it was made, and
its *owner* is fixed the way the object itself binds to a loop: an httpx/httpx2 client by its
first request, an ``aiohttp.ClientSession`` by the loop it was created on, an asyncio primitive
made outside any loop by the first task that uses it, any other asyncio primitive by the first
task that waits on it (asyncio's own ``_LoopBoundMixin._get_loop``), a streamed httpx response by
the loop that sent its request. A later use from another loop, or from the owner after it
closed, is a *foreign use*, handed to the listeners given to :func:`activate`. The harness
listens to explain failures and count leaks; the guard listens to raise ``CrossLoopError``.

Under trio (anyio's trio backend) the owner is the trio run: a client shared by two runs at once
is a foreign use; one reused by a later run after the first ended is not (trio's sockets are not
bound to a run). No asyncio loop and no trio run: nothing is checked.

The patches never break the code they watch: the only exception they raise is the listener's.
Any error of the registry itself is logged once (logger ``loopdoctor.guard``), counted in
:data:`internal_errors`, and the call goes on untouched.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import itertools
import logging
import os
import sys
import sysconfig
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

STACK_DEPTH = 4  # frames kept from the creation site, the user's first one always among them
SEARCH_DEPTH = 64  # frames looked through for the user's first one
_INTERNAL = ("/httpx/", "/httpx2/", "/httpcore/", "/httpcore2/", "/openai/", "/anthropic/",
             "/aiohttp/", "/anyio/", "/trio/",
             "/asyncio/", "/concurrent/", "/threading.py", "/loopdoctor/guard/",
             "/_pytest/", "/pluggy/", "/pytest_asyncio/")
_LIBRARY = ("<frozen", "site-packages", "dist-packages", sysconfig.get_path("stdlib"))
_get_running_loop = asyncio._get_running_loop

log = logging.getLogger("loopdoctor.guard")


@dataclass(frozen=True, eq=False)
class LoopInfo:
    """A loop as people can name it: ``loop#2 (thread Thread-3)``, ``trio run#3 (thread ...)``."""

    ref: weakref.ref[Any]  # the asyncio loop, or the root task of a trio run
    number: int
    thread: str
    trio: bool = False

    @property
    def label(self) -> str:
        return f"{'trio run' if self.trio else 'loop'}#{self.number} (thread {self.thread})"

    @property
    def closed(self) -> bool:
        loop = self.ref()
        if loop is None:
            return True
        return loop.coro.cr_frame is None if self.trio else loop.is_closed()


@dataclass(frozen=True)
class Context:
    """Where in a test suite something happened, as the pytest plugin tells it."""

    test: str
    fixture: str | None = None  # "fixture `client` (scope=session)"


def _no_ref() -> None:
    """The ``ref`` of an object that cannot be weakly referenced (``__slots__`` only)."""


@dataclass(eq=False)
class Binding:
    """What is known about one tracked object."""

    kind: str
    cls: type
    created_at: tuple[str, ...]
    created_thread: str
    created_loop: LoopInfo | None
    created_context: Context | None = None
    ref: Callable[[], Any] = _no_ref
    owner: LoopInfo | None = None
    owner_context: Context | None = None
    foreign_uses: list[LoopInfo] = field(default_factory=list)
    tracked_late: bool = False  # made before tracking began: created_at is its first use

    @property
    def where(self) -> str:
        return self.created_at[-1] if self.created_at else "<unknown>"


Listener = Callable[[Binding, LoopInfo], None]
Use = tuple[Binding, LoopInfo]  # a foreign use: the object's binding and the loop that used it

_lock = threading.RLock()
_loops: weakref.WeakKeyDictionary[Any, LoopInfo] = weakref.WeakKeyDictionary()
_bindings: dict[int, Binding] = {}  # by id(obj): objects need not be hashable nor weakrefable
_loop_numbers = itertools.count(1)
created: Counter[str] = Counter()  # objects created per kind, alive or not
internal_errors: list[str] = []  # the registry's own errors, the first of which was logged
_listeners: list[Listener] = []
_error_listeners: list[Callable[[str], None]] = []
_context: list[Callable[[], Context | None]] = []  # set by the pytest plugin
_ABSENT = object()
_originals: dict[tuple[type, str], Any] = {}


def loop_info(loop: Any, thread: str | None = None, trio: bool = False) -> LoopInfo:
    """The registry's name for ``loop``, given on first sight (by default, from its own thread)."""
    info = _loops.get(loop)
    if info is None:
        with _lock:
            info = _loops.get(loop)
            if info is None:
                thread = thread or threading.current_thread().name
                info = LoopInfo(weakref.ref(loop), next(_loop_numbers), thread, trio)
                _loops[loop] = info
    return info


def current_run() -> LoopInfo | None:
    """The running asyncio loop, else the trio run of this thread, else None."""
    loop = _get_running_loop()
    if loop is not None:
        return loop_info(loop)
    trio = sys.modules.get("trio")
    if trio is None:
        return None
    try:
        root = trio.lowlevel.current_root_task()
    except RuntimeError:  # not inside trio.run
        return None
    return loop_info(root, trio=True)


def bindings() -> list[Binding]:
    """Every tracked object still alive."""
    with _lock:
        return [b for b in _bindings.values() if b.ref() is not None]


def binding_of(obj: object) -> Binding | None:
    found = _bindings.get(id(obj))
    if found is None:
        return None
    alive = found.ref()
    if alive is obj or (alive is None and found.ref is _no_ref and found.cls is type(obj)):
        return found
    return None


def context() -> Context | None:
    return _context[0]() if _context else None


def set_context(provider: Callable[[], Context | None] | None) -> None:
    """Let ``provider`` say which test (and fixture) is running; ``None`` forgets it."""
    _context[:] = [provider] if provider else []


def short_path(site: str) -> str:
    """A ``path[:line in fn]`` as people read it: from the package down when installed,
    relative to the working directory when under it, else as it is."""
    for marker in ("site-packages/", "dist-packages/"):
        if marker in site:
            return site.split(marker, 1)[1]
    cwd = os.getcwd() + os.sep
    return site[len(cwd):] if site.startswith(cwd) else site


def in_a_library(site: str) -> bool:
    return any(part in site for part in _LIBRARY)


def creation_site(frame: FrameType | None, depth: int = STACK_DEPTH) -> tuple[str, ...]:
    """The innermost ``depth`` frames outside the HTTP stack, outermost first; when none of
    them is the user's own code (a library made the object), the user's first frame too."""
    sites: list[str] = []
    user_seen = False
    for _ in range(SEARCH_DEPTH):
        if frame is None or (len(sites) >= depth and user_seen):
            break
        path = frame.f_code.co_filename
        if not any(part in path for part in _INTERNAL):
            user = not in_a_library(path)
            if len(sites) < depth or (user and not user_seen):
                sites.append(f"{path}:{frame.f_lineno} in {frame.f_code.co_name}")
            user_seen = user_seen or user
        frame = frame.f_back
    return tuple(reversed(sites))


def _running_loop_info() -> LoopInfo | None:
    loop = _get_running_loop()
    return None if loop is None else loop_info(loop)


def record_creation(obj: object, kind: str, tracked_late: bool = False) -> Binding:
    binding = Binding(
        kind=kind,
        cls=type(obj),
        created_at=creation_site(sys._getframe(1)),
        created_thread=threading.current_thread().name,
        created_loop=_running_loop_info(),
        created_context=context(),
        tracked_late=tracked_late,
    )
    key = id(obj)
    try:
        binding.ref = weakref.ref(obj, lambda _, key=key: _bindings.pop(key, None))
    except TypeError:  # no __weakref__: forgotten when the object is finalised
        _forget_on_del(type(obj))
    with _lock:
        _bindings[key] = binding
        created[kind] += 1
    return binding


def record_use(obj: object, kind: str) -> Use | None:
    """Bind ``obj`` to the running loop on first use; a later use from elsewhere is returned."""
    current = current_run()
    if current is None:
        return None
    found = binding_of(obj)
    if found is not None and found.owner is current:
        return None
    with _lock:
        found = found or record_creation(obj, kind, tracked_late=True)
        owner = found.owner
        if owner is None or (owner.trio and current.trio and owner.closed):
            found.owner, found.owner_context = current, context()
            return None
        if owner is current:
            return None
        found.foreign_uses.append(current)
    return found, current


def check(obj: object, kind: str, use: Callable[[Any, str], Use | None] = record_use) -> None:
    """Run ``use``; tell the listeners of a foreign use. Only a listener's error gets out."""
    try:
        foreign = use(obj, kind)
    except Exception as exc:
        internal_error(exc)
        return
    if foreign is not None:
        _report_foreign_use(*foreign)


def _report_foreign_use(binding: Binding, user: LoopInfo) -> None:
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(binding, user)


def internal_error(exc: Exception) -> None:
    """Count an error of the guard itself; log the first one, with its traceback."""
    text = f"{type(exc).__name__}: {exc}"
    with _lock:
        internal_errors.append(text)
        first = len(internal_errors) == 1
        listeners = list(_error_listeners)
    if first:
        log.warning("loopdoctor.guard: internal error (the call went on unchecked; later "
                    "ones are counted, not logged)", exc_info=exc)
    for listener in listeners:
        listener(text)


def _safely(record: Callable[..., Any], *args: Any) -> None:
    try:
        record(*args)
    except Exception as exc:
        internal_error(exc)


def _forget_on_del(cls: type) -> None:
    """Drop a non-weakrefable object's binding when it is finalised (patched ``__del__``)."""
    with _lock:
        if (cls, "__del__") in _originals:
            return
        original = cls.__dict__.get("__del__", _ABSENT)

        def __del__(self: Any) -> None:
            found = _bindings.get(id(self))
            if found is not None and found.ref is _no_ref:
                _bindings.pop(id(self), None)
            if original is not _ABSENT:
                original(self)
            elif (inherited := getattr(super(cls, self), "__del__", None)) is not None:
                inherited()

        _originals[(cls, "__del__")] = original
        cls.__del__ = __del__  # type: ignore[attr-defined]


# -- the patches ---------------------------------------------------------------------------

def _tracked_init(original: Callable[..., None], kind: str) -> Callable[..., None]:
    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        _safely(record_creation, self, kind)

    return __init__


SENT_ON = "_loopdoctor_sent_on"  # on a streamed response: (the client's binding, its loop)


def _tracked_send(original: Callable[..., Any], kind: str) -> Callable[..., Any]:
    @functools.wraps(original)
    async def send(self: Any, *args: Any, **kwargs: Any) -> Any:
        check(self, kind)
        response = await original(self, *args, **kwargs)
        if not getattr(response, "is_closed", True):  # a stream, read after send returned
            _safely(_mark_sent_on, response, self)
        return response

    return send


def _mark_sent_on(response: Any, client: Any) -> None:
    found = binding_of(client)
    if found is not None and found.owner is not None:
        vars(response)[SENT_ON] = (found, found.owner)


# aiohttp: a ClientResponse's body is a StreamReader of the loop that sent the request; a read
# from another loop fails where it must wait for data (StreamReader._wait), with asyncio's terse
# "got Future attached to a different loop". The reader is found back by id (it has __slots__).
_bodies: dict[int, weakref.ref[Any]] = {}  # id(response.content) -> the response


def _tracked_request(original: Callable[..., Any], kind: str) -> Callable[..., Any]:
    @functools.wraps(original)
    async def _request(self: Any, *args: Any, **kwargs: Any) -> Any:
        check(self, kind)
        response = await original(self, *args, **kwargs)
        _safely(_remember_body, response, self)
        return response

    return _request


def _remember_body(response: Any, session: Any) -> None:
    _mark_sent_on(response, session)
    key = id(response.content)
    _bodies[key] = weakref.ref(response, lambda _, key=key: _bodies.pop(key, None))


def _tracked_body_wait(original: Callable[..., Any], kind: str) -> Callable[..., Any]:
    @functools.wraps(original)
    async def _wait(self: Any, *args: Any, **kwargs: Any) -> None:  # a private method: any form
        if self._loop is not _get_running_loop():
            check(self, "aiohttp.ClientResponse", _body_use)
        return await original(self, *args, **kwargs)

    return _wait


def _body_use(body: Any, kind: str) -> Use | None:
    ref = _bodies.get(id(body))
    response = ref() if ref is not None else None
    if response is None or response.content is not body:
        return None  # a server's request body, or a response the guard did not see sent
    return _stream_use(response, kind)


def _tracked_read(original: Callable[..., Any], kind: str) -> Callable[..., Any]:
    """For a streamed response's readers: checked when called, in the loop that reads."""
    if inspect.iscoroutinefunction(original):

        @functools.wraps(original)
        async def read_coroutine(self: Any, *args: Any, **kwargs: Any) -> Any:
            check(self, kind, _stream_use)
            return await original(self, *args, **kwargs)

        return read_coroutine

    @functools.wraps(original)
    def read(self: Any, *args: Any, **kwargs: Any) -> Any:
        check(self, kind, _stream_use)
        return original(self, *args, **kwargs)

    return read


def _stream_use(response: Any, kind: str) -> Use | None:
    sent = vars(response).get(SENT_ON)
    if sent is None or getattr(response, "is_closed", False):
        return None
    client, sent_on = sent
    current = current_run()
    if current is None or current is sent_on or (current.trio and sent_on.trio):
        return None
    with _lock:
        if binding_of(response) is not None:
            return None  # reported once: its reader's cleanup (aclose) would report it again
        found = record_creation(response, kind)
        found.created_at, found.created_context = client.created_at, client.created_context
        found.created_thread, found.created_loop = client.created_thread, client.created_loop
        found.owner = sent_on
        found.foreign_uses.append(current)
    return found, current


def _tracked_init_owned_there(original: Callable[..., None], kind: str) -> Callable[..., None]:
    """For objects bound to a loop as they are made (their ``_loop``), not by their first use."""

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        _safely(_record_owned_there, self, kind)

    return __init__


def _record_owned_there(obj: Any, kind: str) -> None:
    binding = record_creation(obj, kind)
    own_loop = getattr(obj, "_loop", None) or _get_running_loop()
    if own_loop is not None:
        binding.owner, binding.owner_context = loop_info(own_loop), binding.created_context


# -- asyncio primitives ----------------------------------------------------------------------
# asyncio binds a Lock/Event/... to a loop in _LoopBoundMixin._get_loop (3.10+), but only when a
# task must wait, so a primitive shared by two loops fails only under contention: "is bound to
# a different event loop" when a task of the second loop waits, a hang when it wakes a waiter
# of the first loop from its own thread (release, set, put_nowait, ... never reach _get_loop;
# the wakeup is lost). A primitive made outside any loop (module level, sync code) is the usual
# culprit: it becomes an instance of a subclass that checks each public operation and belongs
# to the loop that first uses it. Any other primitive costs nothing per operation: the guard
# looks at it where asyncio does, in _get_loop, and explains the error asyncio would raise.

_STATE_QUERIES = frozenset({"locked", "is_set", "qsize", "empty", "full"})
_guarded_classes: dict[type, type] = {}


def _tracked_primitive_init(original: Callable[..., None], kind: str) -> Callable[..., None]:
    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if _get_running_loop() is None and not hasattr(type(self), "_loopdoctor_base"):
            _safely(_guard_primitive, self)

    return __init__


def _guard_primitive(primitive: Any) -> None:
    record_creation(primitive, _primitive_kind(type(primitive)))
    primitive.__class__ = _guarded_class(type(primitive))


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
    current = _get_running_loop()
    if current is None:
        return
    owner = primitive._loopdoctor_owner  # a weak reference to the loop, or None
    if owner is not None and owner() is current:
        return
    check(primitive, _primitive_kind(type(primitive)), _first_use_binds)


def _first_use_binds(primitive: Any, kind: str) -> Use | None:
    foreign = record_use(primitive, kind)
    with _lock:
        if primitive._loopdoctor_owner is None:
            primitive._loopdoctor_owner = weakref.ref(_get_running_loop())
    return foreign


def _tracked_get_loop(original: Callable[..., Any], kind: str) -> Callable[..., Any]:
    """asyncio's own binding of a primitive to the loop of the first task that waits on it."""

    @functools.wraps(original)
    def _get_loop(self: Any) -> Any:
        bound = self._loop
        if bound is not None and bound is not _get_running_loop():
            check(self, _primitive_kind(type(self)), _waits_on_a_foreign_loop)
        return original(self)

    return _get_loop


def _waits_on_a_foreign_loop(primitive: Any, kind: str) -> Use | None:
    current = current_run()
    if current is None or current.trio or hasattr(type(primitive), "_loopdoctor_base"):
        return None  # a primitive made outside any loop is checked by its own class
    owner = loop_info(primitive._loop, thread=thread_name_of(primitive._loop))
    with _lock:  # nothing was recorded before: one Event per request waits in httpx's pool
        found = binding_of(primitive) or Binding(kind, type(primitive), (), "?", owner)
        found.owner = found.owner or owner
        found.foreign_uses.append(current)
    return found, current


# The operations that wake a waiter: one sent from the thread of another loop is lost, and the
# waiter hangs. asyncio binds a primitive (its _loop) when a task first waits on it; until then
# the check is one attribute read. Each wrapper keeps its original's exact signature: these are
# hot, and *args/**kwargs would triple their cost.

def _tracked_wakeup(original: Callable[[Any], Any], kind: str) -> Callable[[Any], Any]:
    """For ``set()``, ``release()``, ``notify_all()``, ``get_nowait()``."""

    @functools.wraps(original)
    def wakeup(self: Any) -> Any:
        if self._loop is not None and self._loop is not _get_running_loop():
            _check_wakeup(self)
        return original(self)

    return wakeup


def _tracked_put_nowait(original: Callable[[Any, Any], None], kind: str) -> Callable[..., None]:
    @functools.wraps(original)
    def put_nowait(self: Any, item: Any) -> None:
        if self._loop is not None and self._loop is not _get_running_loop():
            _check_wakeup(self)
        return original(self, item)

    return put_nowait


def _tracked_notify(original: Callable[[Any, int], None], kind: str) -> Callable[..., None]:
    @functools.wraps(original)
    def notify(self: Any, n: int = 1) -> None:
        if self._loop is not None and self._loop is not _get_running_loop():
            _check_wakeup(self)
        return original(self, n)

    return notify


def _check_wakeup(primitive: Any) -> None:
    check(primitive, _primitive_kind(type(primitive)), _wakes_a_foreign_loop)


def _wakes_a_foreign_loop(primitive: Any, kind: str) -> Use | None:
    waiters = (waiter for name in ("_waiters", "_getters", "_putters")
               for waiter in tuple(getattr(primitive, name, None) or ()))
    if not any(not waiter.done() for waiter in waiters):
        return None  # nothing to wake: asyncio sends no wakeup
    return _waits_on_a_foreign_loop(primitive, kind)


def thread_name_of(loop: Any) -> str:
    """The name of the thread running ``loop`` now, or "?" when it is not running."""
    ident = getattr(loop, "_thread_id", None)  # asyncio's own record, None once it stopped
    return next((t.name for t in threading.enumerate() if t.ident == ident), "?")


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
    *((http, "AsyncClient", "__init__", _tracked_init) for http in ("httpx", "httpx2")),
    *((http, "AsyncClient", "send", _tracked_send) for http in ("httpx", "httpx2")),
    *((http, "Response", method, _tracked_read)
      for http in ("httpx", "httpx2") for method in ("aiter_raw", "aclose")),
    ("aiohttp", "ClientSession", "__init__", _tracked_init_owned_there),
    ("aiohttp", "ClientSession", "_request", _tracked_request),
    ("aiohttp.streams", "StreamReader", "_wait", _tracked_body_wait),
    ("aiohttp", "ClientSession", "_ws_connect", _tracked_send),
    # BoundedSemaphore and the Queue subclasses go through these __init__s too.
    *(("asyncio", name, "__init__", _tracked_primitive_init)
      for name in ("Lock", "Event", "Condition", "Semaphore", "Queue", "Barrier")),
    ("asyncio.mixins", "_LoopBoundMixin", "_get_loop", _tracked_get_loop),
    *(("asyncio", name, method, _tracked_wakeup)
      for name, method in (("Lock", "release"), ("Event", "set"), ("Semaphore", "release"),
                           ("Condition", "notify_all"), ("Queue", "get_nowait"))),
    ("asyncio", "Condition", "notify", _tracked_notify),
    ("asyncio", "Queue", "put_nowait", _tracked_put_nowait),
]


def activate(listener: Listener | None = None,
             on_error: Callable[[str], None] | None = None) -> None:
    """Patch every target (once) and add ``listener`` to those told of foreign use
    (``on_error`` to those told of the registry's own errors).

    A target module not imported yet is patched right after its first import, never imported
    for the guard's sake: a process that never uses aiohttp must not pay 150 ms to import it.
    """
    with _lock:
        if listener is not None and listener not in _listeners:
            _listeners.append(listener)
        if on_error is not None and on_error not in _error_listeners:
            _error_listeners.append(on_error)
        _patch_targets()
        if _import_watcher not in sys.meta_path:
            sys.meta_path.insert(0, _import_watcher)


def deactivate(listener: Listener | None = None,
               on_error: Callable[[str], None] | None = None) -> None:
    """Remove ``listener``; with no listener left (or none given), restore every original."""
    with _lock:
        if on_error in _error_listeners:
            _error_listeners.remove(on_error)
        if listener in _listeners:
            _listeners.remove(listener)
        if listener is not None and _listeners:
            return
        _listeners.clear()
        _error_listeners.clear()
        if _import_watcher in sys.meta_path:
            sys.meta_path.remove(_import_watcher)
        for (cls, method), original in _originals.items():
            if original is _ABSENT:
                delattr(cls, method)
            else:
                setattr(cls, method, original)
        _originals.clear()
        _restore_primitive_classes()
        for key, binding in list(_bindings.items()):
            if binding.ref is _no_ref:  # nothing forgets them any more
                del _bindings[key]


def _patch_targets() -> None:
    for module_name, class_name, method, wrap in TARGETS:
        module = sys.modules.get(module_name)
        cls = getattr(module, class_name, None) if module else None
        if cls is None or (cls, method) in _originals or method not in cls.__dict__:
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
    """Forget every recorded loop, binding and internal error (the patches stay as they are)."""
    with _lock:
        _loops.clear()
        _bindings.clear()
        created.clear()
        internal_errors.clear()


def live() -> Iterator[tuple[Binding, Any]]:
    """Every tracked object still alive, with what is known about it."""
    for binding in bindings():
        obj = binding.ref()
        if obj is not None:
            yield binding, obj
