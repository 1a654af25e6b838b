"""The runtime guard: a loop-bound object used from a foreign loop raises ``CrossLoopError``.

``install()`` makes :mod:`loopdoctor.guard.binding` track every ``httpx.AsyncClient`` /
``httpx2.AsyncClient`` (the pools under openai, anthropic and most SDKs), every
``aiohttp.ClientSession``, and every asyncio Lock/Event/Condition/Semaphore/Queue/Barrier made
outside a running loop, and listens for a *foreign use*: a use from a loop other than the one
the object belongs to, or from that loop after it closed. Such a use would hang on a lost
cross-thread wakeup or fail with "Event loop is closed" / "bound to a different event loop";
the guard stops it before it happens, with a message that names the object, both loops and
where the object was made.

``LOOPDOCTOR_GUARD=warn`` logs the message instead of raising. ``LOOPDOCTOR_GUARD_EVENTS=FILE``
appends one JSON line per foreign use to FILE, ``LOOPDOCTOR_GUARD_ERRORS=FILE`` one line per
error of the guard itself (how ``loopdoctor exec`` counts them).
"""

from __future__ import annotations

import contextlib
import dis
import json
import logging
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from types import FrameType
from typing import Any, Literal

from loopdoctor.guard import binding
from loopdoctor.guard.binding import Binding, Context, LoopInfo

Mode = Literal["raise", "warn"]
MODE_ENV = "LOOPDOCTOR_GUARD"
EVENTS_ENV = "LOOPDOCTOR_GUARD_EVENTS"
ERRORS_ENV = "LOOPDOCTOR_GUARD_ERRORS"

log = logging.getLogger("loopdoctor.guard")

FIX_CLIENT = """\
Fix: give each event loop its own client and close it (await client.aclose() /
await client.close()) in the code that owns that loop's lifetime, before the loop ends;
or keep one long-lived "portal" loop that owns the client and submit every call to it with
asyncio.run_coroutine_threadsafe(coro, portal_loop). A cache keyed by config only (a global,
lru_cache, a dict) or by id(loop) hands one loop's client to another."""

WHY_CLIENT = """\
Its connection pool holds sockets, locks and futures of the owning loop: used from another
loop it hangs (a wakeup sent to the wrong loop is lost) or fails with "Event loop is closed"
or "bound to a different event loop", which SDK retries may hide."""

WHY_SESSION = """\
Its connector holds the sockets, timers and futures of the loop it was created on: used from
another loop it fails with "Event loop is closed", "Timeout context manager should be used
inside a task" or "attached to a different loop", and can break the owner's connections."""

WHY_PRIMITIVE = """\
asyncio binds a Lock, Event, Condition, Semaphore or Queue to the loop of the first task that
waits on it, so sharing one between loops fails only under contention: with "is bound to a
different event loop", or, when one loop wakes a waiter of the other from its own thread, with
a hang (the wakeup is lost). The guard counts any use from a second loop, so it fails every
time instead of now and then."""

FIX_PRIMITIVE = """\
Fix: create it inside the loop that uses it (in a coroutine, or once per loop, e.g. in a
startup hook or a dict keyed by the loop), not at import time. To coordinate threads or
loops, use threading primitives or queue.Queue, or hand the work to the owning loop with
loop.call_soon_threadsafe / asyncio.run_coroutine_threadsafe."""


WHY_RESPONSE = """\
A streamed response reads from a connection of its client's pool, which belongs to the loop
that sent the request: read or closed from another loop it hangs or fails as the client would."""

FIX_RESPONSE = """\
Fix: read the response to the end (await response.aread() with httpx, await response.read()
with aiohttp, or iterate the stream) inside the loop that sent the request, e.g. in the same
coroutine; do not hand an unread stream (a stream=True result, an aiohttp response whose
body is not read yet) out of asyncio.run, a portal or a worker thread's loop."""


NOT_RECORDED = "not recorded (made inside a running loop: seen only when a task waited on it)"


@dataclass(frozen=True)
class Family:
    """How one family of loop-bound objects gets its loop, why sharing it fails, the fix."""

    owned_because: str
    why: str
    fix: str


CLIENT = Family("its first request ran there", WHY_CLIENT, FIX_CLIENT)
FAMILIES: dict[str, Family] = {  # by the start of Binding.kind; the last one matches all
    "asyncio.": Family("first used there", WHY_PRIMITIVE, FIX_PRIMITIVE),
    "aiohttp.ClientResponse": Family("its request was sent there", WHY_RESPONSE, FIX_RESPONSE),
    "aiohttp.": Family("it was created there", WHY_SESSION, FIX_CLIENT),
    "httpx.Response": Family("its request was sent there", WHY_RESPONSE, FIX_RESPONSE),
    "httpx2.Response": Family("its request was sent there", WHY_RESPONSE, FIX_RESPONSE),
    "": CLIENT,
}


class CrossLoopError(BaseException):
    """A loop-bound object was used from an event loop it does not belong to.

    Derives from BaseException, like KeyboardInterrupt and pytest's ``Failed``: SDK retry
    loops catch ``Exception`` (openai 2.x wraps and retries every one), and this error must
    reach the caller on the first attempt. Catch it by name: ``loopdoctor.CrossLoopError``.

    A library that takes it for a result instead (``gather(..., return_exceptions=True)``
    followed by ``isinstance(r, Exception)``, as langchain-core does) gets it raised again
    when its code reads a missing attribute (``result.generations``), rather than an
    AttributeError of its own. Introspection (``hasattr``, ``getattr(error, name, default)``)
    gets the AttributeError any exception gives.
    """

    binding: Binding | None = None
    user: LoopInfo | None = None

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("_") and _read_in_code(sys._getframe(1)):
            raise self
        raise AttributeError(f"'CrossLoopError' object has no attribute {name!r}",
                             name=name, obj=self)

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), self.args  # what it knows of the loops stays in this process


CrossLoopError.__module__ = "loopdoctor"  # its public name, in tracebacks and pickles

_ATTRIBUTE_READS = frozenset(dis.opmap[name] for name in ("LOAD_ATTR", "LOAD_METHOD")
                             if name in dis.opmap)


def _read_in_code(frame: FrameType) -> bool:
    """Whether ``frame`` is at an ``obj.name`` in its code, not in getattr/hasattr."""
    code = frame.f_code.co_code
    return frame.f_lasti < len(code) and code[frame.f_lasti] in _ATTRIBUTE_READS


@dataclass(frozen=True)
class ForeignUse:
    """One foreign use, as written to the events file."""

    pid: int
    kind: str
    created_at: str
    owner: str
    owner_closed: bool
    user: str
    used_at: str
    message: str = ""
    test: str | None = None  # the pytest test that made the use, when the plugin knows it


_state_lock = threading.Lock()
_mode: Mode | None = None  # None: not installed
_events: list[ForeignUse] = []
_pending: list[tuple[ForeignUse, CrossLoopError | None]] | None = None  # see take_pending


def install(mode: Mode | None = None) -> None:
    """Switch the guard on for this process; a no-op if it is on already.

    ``mode`` defaults to ``$LOOPDOCTOR_GUARD`` ("warn" logs, anything else raises). httpx,
    httpx2 and aiohttp are patched now if imported, else right after their first import.
    """
    global _mode
    if mode not in (None, "raise", "warn"):
        raise ValueError(f"guard mode must be 'raise' or 'warn', not {mode!r}")
    with _state_lock:
        if _mode is not None:
            return
        _mode = mode or mode_from_env()
        binding.activate(_on_foreign_use, _on_internal_error)


def uninstall() -> None:
    """Switch the guard off; the originals come back unless another listener still needs them."""
    global _mode
    with _state_lock:
        if _mode is None:
            return
        _mode = None
        binding.deactivate(_on_foreign_use, _on_internal_error)


def installed() -> bool:
    return _mode is not None


@contextlib.contextmanager
def guarded(mode: Mode | None = None) -> Iterator[None]:
    """The guard on for the ``with`` block; left on if it was on before."""
    was_installed = installed()
    install(mode)
    try:
        yield
    finally:
        if not was_installed:
            uninstall()


def mode_from_env() -> Mode:
    return "warn" if os.environ.get(MODE_ENV, "").strip().lower() == "warn" else "raise"


def events() -> list[ForeignUse]:
    """Every foreign use seen in this process since it started (or since :func:`clear`)."""
    with _state_lock:
        return list(_events)


def clear() -> None:
    with _state_lock:
        _events.clear()


def take_pending() -> list[tuple[ForeignUse, CrossLoopError | None]]:
    """The foreign uses since the last call, each with the error raised for it (None in warn
    mode). The first call starts the keeping: the pytest plugin hands them to test reports."""
    global _pending
    with _state_lock:
        taken, _pending = _pending or [], []
    return taken


def internal_errors() -> list[str]:
    """The guard's own errors in this process (each time, the call went on unchecked)."""
    return list(binding.internal_errors)


def _on_foreign_use(found: Binding, user: LoopInfo) -> None:
    __tracebackhide__ = True
    try:
        event = _record(found, user, sys._getframe(1))
    except Exception as exc:  # the guard's own error: the use goes on unchecked
        binding.internal_error(exc)
        return
    if _mode == "warn":
        log.warning("%s", event.message)
        _keep(event, None)
        return
    error = CrossLoopError(event.message)
    error.binding, error.user = found, user
    _keep(event, error)
    raise error


def _record(found: Binding, user: LoopInfo, frame: Any) -> ForeignUse:
    sites = binding.creation_site(frame, depth=1)
    used_at = next((site for site in reversed(sites) if not binding.in_a_library(site)),
                   sites[-1] if sites else "<unknown>")
    now = binding.context()
    owner = found.owner
    event = ForeignUse(
        pid=os.getpid(),
        kind=found.kind,
        created_at=found.where,
        owner=owner.label if owner else "?",
        owner_closed=bool(owner and owner.closed),
        user=user.label,
        used_at=used_at,
        message=explain(found, user, used_at, now),
        test=now.test if now else None,
    )
    with _state_lock:
        _events.append(event)
    path = os.environ.get(EVENTS_ENV)
    if path:
        append_line(path, json.dumps(asdict(event)))
    return event


def _keep(event: ForeignUse, error: CrossLoopError | None) -> None:
    with _state_lock:
        if _pending is not None:
            _pending.append((event, error))


def _on_internal_error(text: str) -> None:
    path = os.environ.get(ERRORS_ENV)
    if path:
        append_line(path, json.dumps({"pid": os.getpid(), "error": text}))


def append_line(path: str, line: str) -> None:
    """Append ``line`` in one O_APPEND write: processes sharing the file never interleave."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def explain(found: Binding, user: LoopInfo, used_at: str, now: Context | None = None) -> str:
    """The error message: which object, whose loop, made where, used from where, and the fix."""
    obj = found.ref()
    owner = found.owner
    state = "?" if owner is None else ("closed" if owner.closed else "running")
    headline = (
        f"{_describe(found, obj)} is bound to a closed event loop"
        if state == "closed"
        else f"{_describe(found, obj)} is used from an event loop it does not belong to"
    )
    innermost, *callers = [*reversed(found.created_at)] or [NOT_RECORDED]
    callers = [site for site in callers if not binding.in_a_library(site)]
    made_in = found.created_loop
    created_on = f"inside {made_in.label}" if made_in else "outside any event loop"
    family = family_of(found.kind)
    lines = [
        headline,
        f"  owned by:    {owner.label if owner else '?'}, {state} ({family.owned_because})",
        f"  used from:   {user.label}",
        f"  used at:     {relative(used_at)}",
        f"  {'first seen' if found.tracked_late else 'created at'}:  {relative(innermost)}",
        *(f"               called from {relative(site)}" for site in callers),
        f"  created in:  thread {found.created_thread}, {created_on}",
        *_in_tests(found, now),
    ]
    return "\n".join([*lines, family.why, family.fix])


def _in_tests(found: Binding, now: Context | None) -> list[str]:
    """Who made and owns the object, in test terms, when the pytest plugin said so."""
    made, owner = found.created_context, found.owner_context
    if now is None or (made is None and owner is None):
        return []
    maker = made.fixture or made.test if made else "?"
    line = f"  in tests:    made by {maker}"
    if owner is not None:
        line += f" on the loop of {owner.test}"
    return [line, f"               used by {now.test} on its own loop"]


def family_of(kind: str) -> Family:
    return next(family for prefix, family in FAMILIES.items() if kind.startswith(prefix))


relative = binding.short_path


def _describe(found: Binding, obj: object) -> str:
    if obj is None or type(obj).__name__ == found.kind.rpartition(".")[2]:
        return found.kind
    return f"{found.kind} ({type(obj).__module__}.{type(obj).__qualname__})"
