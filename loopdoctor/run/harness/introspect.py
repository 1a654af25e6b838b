"""What a stuck cell looks like from inside: threads, loops, tasks, and where the pool belongs.

Read from the monitor thread while the other threads are stuck; every read is of plain
attributes, retried when another thread mutates a container under it.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from types import FrameType
from typing import Any

from loopdoctor.guard import binding

STACK_LIMIT = 14  # frames kept per thread
SAMPLE_INTERVAL = 0.1  # the lost-wakeup signature must hold in two samples this far apart


def _retry(read: Any, default: Any) -> Any:
    for _ in range(5):
        try:
            return read()
        except RuntimeError:  # "deque mutated during iteration" and friends
            continue
    return default


def _frame_text(frame: FrameType) -> str:
    path = binding.short_path(frame.f_code.co_filename)
    return f"{frame.f_code.co_name} ({path}:{frame.f_lineno})"


def _in_select(frame: FrameType | None) -> bool:
    return (frame is not None and frame.f_code.co_name in ("select", "poll")
            and frame.f_code.co_filename.endswith("selectors.py"))


def thread_stacks() -> list[dict[str, Any]]:
    names = {t.ident: t.name for t in threading.enumerate()}
    stacks = []
    for ident, frame in sys._current_frames().items():
        if ident == threading.get_ident():
            continue  # the monitor itself
        summary = traceback.extract_stack(frame)[-STACK_LIMIT:]
        stacks.append({
            "thread": names.get(ident, str(ident)),
            "in_select": _in_select(frame),
            "stack": [f"{f.name} ({binding.short_path(f.filename)}:{f.lineno})" for f in summary],
        })
    return stacks


def await_chain(task: asyncio.Task[Any]) -> list[str]:
    """The coroutines ``task`` is suspended in, outermost first."""
    chain: list[str] = []
    coro: Any = task.get_coro()
    while coro is not None:
        frame = next((getattr(coro, a) for a in ("cr_frame", "ag_frame", "gi_frame")
                      if getattr(coro, a, None) is not None), None)
        if frame is not None:
            chain.append(_frame_text(frame))
        coro = next((getattr(coro, a) for a in ("cr_await", "ag_await", "gi_yieldfrom")
                     if getattr(coro, a, None) is not None), None) or _generator_behind(coro)
    return chain


def _generator_behind(awaitable: Any) -> Any:
    """The async generator an ``async for`` step awaits: its ``__anext__`` awaitable says not
    which generator it steps, but holds it (every streamed answer is iterated this way)."""
    if type(awaitable).__name__ not in ("async_generator_asend", "async_generator_athrow"):
        return None
    return next((obj for obj in gc.get_referents(awaitable) if hasattr(obj, "ag_frame")), None)


def all_loops() -> list[asyncio.AbstractEventLoop]:
    # type(), not isinstance(): the SDK's lazy proxies load modules when asked for __class__.
    return [obj for obj in gc.get_objects() if issubclass(type(obj), asyncio.AbstractEventLoop)]


def soonest_timer() -> float | None:
    """Seconds until the first timer of any open loop is due (an SDK's retry backoff, a
    sleep): a loop with one is waiting for it, not stuck."""
    due = [handle.when() - loop.time()
           for loop in all_loops() if not loop.is_closed()
           for handle in _retry(lambda loop=loop: list(getattr(loop, "_scheduled", ())), [])
           if not handle.cancelled()]
    return min(due, default=None)


def _loop_state(loop: Any, frames: dict[int, FrameType]) -> dict[str, Any]:
    thread_id = getattr(loop, "_thread_id", None)
    names = {t.ident: t.name for t in threading.enumerate()}
    info = binding.loop_info(loop, thread=names.get(thread_id, "none"))
    ready = _retry(lambda: [repr(h) for h in list(loop._ready)], [])
    tasks = _retry(lambda: list(asyncio.all_tasks(loop)), []) if not loop.is_closed() else []
    return {
        "loop": info.label,
        "closed": loop.is_closed(),
        "running": loop.is_running(),
        "in_select": _in_select(frames.get(thread_id)) if thread_id else False,
        "ready": len(ready),
        "ready_callbacks": ready[:4],
        "timers": len(getattr(loop, "_scheduled", ())),
        "tasks": [_task_state(task) for task in tasks],
    }


def _task_state(task: asyncio.Task[Any]) -> dict[str, Any]:
    waiter = getattr(task, "_fut_waiter", None)
    return {
        "task": task.get_name(),
        "await_chain": await_chain(task),
        "waiting_on": None if waiter is None else repr(waiter),
        "waiting_on_done": None if waiter is None else waiter.done(),
    }


def connection_loops(client: Any) -> list[str]:
    """For each pooled connection of a client, the loop its socket belongs to."""
    labels = []
    for transport in _pooled_transports(client):
        loop = getattr(transport, "_loop", None)
        if loop is not None:
            labels.append(binding.loop_info(loop, thread="?").label
                          + (" [closed]" if loop.is_closed() else ""))
    return labels


def _pooled_transports(client: Any) -> list[Any]:
    """The asyncio transports under a client's pool: an httpx/httpx2 client's connection pool,
    or an aiohttp session's connector (idle connections and those in use)."""
    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    transports = []
    for conn in _retry(lambda: list(getattr(pool, "_connections", ())), []):
        transport: Any = conn
        for attr in ("_connection", "_network_stream", "_stream", "_transport"):
            transport = getattr(transport, attr, None)
        transports.append(transport)
    connector = getattr(client, "_connector", None)
    idle = _retry(lambda: [p for conns in getattr(connector, "_conns", {}).values()
                           for p, _ in conns], [])
    in_use = _retry(lambda: list(getattr(connector, "_acquired", ())), [])
    return transports + [getattr(proto, "transport", None) for proto in idle + in_use]


def clients() -> list[dict[str, Any]]:
    return [
        {
            "kind": b.kind,
            "created_at": list(b.created_at),
            "created_on": b.created_loop.label if b.created_loop else "no running loop",
            "owner": b.owner.label if b.owner else None,
            "owner_closed": b.owner.closed if b.owner else None,
            "used_from": [info.label for info in b.foreign_uses[:3]],
            "connections_on": connection_loops(obj),
        }
        for b, obj in binding.live()
    ]


@dataclass(frozen=True)
class FirstLook:
    """The loops as a first sample saw them, for :func:`snapshot`'s lost-wakeup check (by id:
    holding the loops themselves would keep what is keyed by them alive, a leak check's count)."""

    at: float  # time.monotonic()
    states: dict[int, dict[str, Any]]  # id(loop) -> its state then


def first_look() -> FirstLook:
    frames = sys._current_frames()
    return FirstLook(time.monotonic(), {id(loop): _loop_state(loop, frames)
                                        for loop in all_loops()})


def snapshot(first: FirstLook | None = None) -> dict[str, Any]:
    """Threads, loops, tasks and clients, with the lost-wakeup check sampled twice: ``first``
    (taken now when not given) and now, at least ``SAMPLE_INTERVAL`` after it."""
    first = first or first_look()
    time.sleep(max(0.0, first.at + SAMPLE_INTERVAL - time.monotonic()))
    states = []
    for loop in all_loops():
        state = _loop_state(loop, sys._current_frames())
        before = first.states.get(id(loop))
        state["lost_wakeup"] = before is not None and all(
            s["in_select"] and s["ready"] > 0 for s in (before, state))
        states.append(state)
    return {"threads": thread_stacks(), "loops": states, "clients": clients()}


HANG_FLAVOURS = {
    "wait_for_connection": "waiting for a pool connection another loop holds (flavour A)",
    "_wait_for_available_connection": "waiting for a connector slot another loop's request "
                                      "holds (aiohttp's connector, flavour A)",
    "sock_connect": "opening a new connection for a pool another loop shares, a connect that "
                    "never completes (seen with aiohttp, flavour C)",
    "acquire": "waiting for a connection lock whose owner task lives on another loop (flavour B)",
}


def stuck_frame(diagnostics: dict[str, Any]) -> tuple[str, str] | None:
    """(loop label, innermost await) of the first task stuck behind a lost wakeup."""
    for loop in diagnostics.get("loops", []):
        if not loop.get("lost_wakeup") and not loop.get("running"):
            continue
        for task in loop.get("tasks", []):
            chain = task.get("await_chain") or []
            for frame in reversed(chain):
                if any(key in frame for key in HANG_FLAVOURS):
                    return loop["loop"], frame
    return None
