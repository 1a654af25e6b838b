"""One cell, inside its own process: set up, play the scenario, measure, report, exit.

Imported by the forkserver before any cell is forked (see ``runner``), so that every import a
cell needs is paid once. The parent hears from a cell through one pipe: ``("progress", n)`` after
each checked response, then one ``("result", {...})``.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import signal
import threading
import time
import traceback
import urllib.request
from urllib.parse import urlsplit
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

import psutil

# Warm what the SDK imports lazily on first use, so that cells do not pay for it.
import openai.resources.chat.completions  # noqa: F401
import openai.types.chat  # noqa: F401

from loopdoctor import binding, scenario as scenario_api, strategies
from loopdoctor.endpoint import MODEL
from loopdoctor.harness import introspect, safety
from loopdoctor.harness.mock import MockEndpoint
from loopdoctor.verdict import cross_loop_signature

T = TypeVar("T")
API_KEY = "sk-loopdoctor-dummy"
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class CellSpec:
    cell_id: str
    scenario: str
    strategy: str  # a built-in name, or the user's MOD:FN factory
    endpoint: str  # "loopback" or "respx"
    base_url: str
    timeout: float
    scenario_dirs: tuple[str, ...] = ()
    bridge: str | None = None  # the user's MOD:FN bridge
    stats_url: str | None = None  # the endpoint's counters for this cell


class ResponseMismatch(AssertionError):
    """The endpoint echoes the question: any other answer went to the wrong caller."""


class Reporter:
    """The cell's side of the pipe; safe to call from any thread; the first result wins."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self._finished = False
        self.last_progress = time.monotonic()

    def progress(self, made: int) -> None:
        with self._lock:
            self.last_progress = time.monotonic()
            if not self._finished:
                self._conn.send(("progress", made))

    def finish(self, result: dict[str, Any]) -> None:
        with self._lock:
            if self._finished:
                return
            self._finished = True
            with contextlib.suppress(OSError):
                self._conn.send(("result", result))
        os._exit(0)  # threads stuck in the scenario must not keep the process alive


class CellContext:
    """The :class:`loopdoctor.scenario.Context` a scenario body gets."""

    def __init__(self, spec: CellSpec, stream: bool, strategy: strategies.Strategy,
                 bridge: strategies.Bridge | None, reporter: Reporter) -> None:
        self.stream = stream
        self.made = 0
        self._spec = spec
        self._strategy = strategy
        self._bridge = bridge
        self._reporter = reporter
        self._lock = threading.Lock()

    @contextlib.asynccontextmanager
    async def client(self) -> AsyncIterator[Any]:
        async with self._strategy.lease(self._spec.base_url, API_KEY) as client:
            check_client(client)
            yield client

    async def ask(self, client: Any, label: str) -> str:
        with self._lock:
            self.made += 1
            text = f"{label} [{self.made}]"
        messages = [{"role": "user", "content": text}]
        if self.stream:
            stream = await client.chat.completions.create(model=MODEL, messages=messages,
                                                          stream=True)
            answer = "".join([chunk.choices[0].delta.content or ""
                              async for chunk in stream if chunk.choices])
        else:
            response = await client.chat.completions.create(model=MODEL, messages=messages)
            answer = response.choices[0].message.content
        if answer != text:
            raise ResponseMismatch(f"asked {text!r}, the answer was {answer!r}")
        self._reporter.progress(self.made)
        return answer

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self._strategy.run(coro)

    def bridge(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._bridge is not None:
            return self._bridge(coro)
        return scenario_api.run_async(self, coro)


def check_client(client: Any) -> None:
    """Fail clearly on a factory that returned no client, or one aimed off this machine."""
    chat = getattr(getattr(client, "chat", None), "completions", None)
    if not callable(getattr(chat, "create", None)):
        raise TypeError(f"the factory returned {type(client).__name__!r}, not an OpenAI-style "
                        "client (no .chat.completions.create)")
    base_url = getattr(client, "base_url", None)
    host = getattr(base_url, "host", None)
    if base_url is not None and not safety.is_loopback(host):
        raise safety.refuse(host)


class Monitor(threading.Thread):
    """Reports a hang, with diagnostics, when no response arrived for ``timeout`` seconds."""

    def __init__(self, reporter: Reporter, timeout: float, describe: Any) -> None:
        super().__init__(name="loopdoctor-monitor", daemon=True)
        self._reporter = reporter
        self._timeout = timeout
        self._describe = describe
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            remaining = self._reporter.last_progress + self._timeout - time.monotonic()
            if remaining > 0:
                self._done.wait(remaining)
                continue
            diagnostics = introspect.snapshot()
            self._reporter.finish({**self._describe(), "hang": True, "diagnostics": diagnostics})

    def stop(self) -> None:
        self._done.set()


def describe_error(exc: BaseException) -> dict[str, Any]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    text = " <- ".join(f"{type(e).__name__}: {e}" for e in chain)
    return {
        "type": type(exc).__name__,
        "message": str(exc) or type(exc).__name__,
        "chain": text,
        "cross_loop": cross_loop_signature(text),
        "traceback": traceback.format_exception(exc)[-8:],
    }


def foreign_uses() -> list[dict[str, Any]]:
    """The clients that were used from a loop other than their owner, and by whom."""
    return [
        {"kind": b.kind, "created_at": b.where, "created_thread": b.created_thread,
         "owner": b.owner.label if b.owner else None,
         "owner_closed": b.owner.closed if b.owner else False,
         "used_from": b.foreign_uses[0].label}
        for b in binding.bindings() if b.foreign_uses
    ]


def measure_leaks(strategy: strategies.Strategy, port: int | None) -> dict[str, Any]:
    gc.collect()
    holding: set[int] = set()
    open_clients = 0
    for record, client in binding.live():
        if getattr(client, "is_closed", True):
            continue
        open_clients += 1
        loop = record.owner or record.created_loop
        if loop is not None and loop.closed:
            holding.add(loop.number)
    return {
        "clients_created": sum(binding.created.values()),
        "clients_open": open_clients,
        "dead_loops_holding": len(holding),
        "sockets_open": open_sockets(port),
        "cache_entries": strategy.cache_size(),
    }


def open_sockets(port: int | None) -> int:
    if port is None:
        return 0
    process = psutil.Process()
    connections = getattr(process, "net_connections", process.connections)("tcp")
    return sum(1 for c in connections if c.raddr and c.raddr.port == port)


def server_view(stats_url: str | None) -> dict[str, Any] | None:
    if stats_url is None:
        return None
    try:
        with urllib.request.urlopen(stats_url, timeout=1) as response:  # noqa: S310 - loopback
            return json.load(response)
    except OSError as exc:
        return {"error": str(exc)}


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def main(spec: CellSpec, conn: Connection) -> None:
    """The child process's entry point."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent()
    reporter = Reporter(conn)
    try:
        reporter.finish(run_cell(spec, reporter))
    except BaseException as exc:  # noqa: BLE001 - a broken setup is an ERROR cell, not a crash
        reporter.finish({"error": describe_error(exc), "setup_failed": True})


def run_cell(spec: CellSpec, reporter: Reporter) -> dict[str, Any]:
    safety.loopback_only()
    scenario = scenario_api.load(tuple(map(Path, spec.scenario_dirs)))[spec.scenario]
    if scenario.pool_limit:
        safety.limit_async_pools(scenario.pool_limit)
    mock = MockEndpoint().start() if spec.endpoint == "respx" else None
    binding.activate()
    strategy = strategies.create(spec.strategy)
    bridge = strategies.load_callable(spec.bridge) if spec.bridge else None
    ctx = CellContext(spec, scenario.stream, strategy, bridge, reporter)
    started = time.perf_counter()

    def describe() -> dict[str, Any]:
        return {
            "seconds": time.perf_counter() - started,
            "requests": {"made": ctx.made,
                         "mock_answered": mock.answered if mock is not None else None},
            "foreign_uses": foreign_uses(),
            "server": server_view(spec.stats_url),
        }

    monitor = Monitor(reporter, spec.timeout, describe)
    monitor.start()
    error = None
    try:
        scenario.body(ctx)
    except BaseException as exc:  # noqa: BLE001 - whatever the scenario raised is the verdict
        error = describe_error(exc)
    monitor.stop()
    result = describe()
    port = None if mock is not None else urlsplit(spec.base_url).port
    return {**result, "error": error, "leak": measure_leaks(strategy, port)}

