"""One cell, inside its own process: set up, play the scenario, measure, report, exit.

The forkserver imports it, with everything a cell needs, before any cell is forked (see
``preload``). The parent hears from a cell through one pipe: ``("playing", None)`` once it is set
up, ``("progress", n)`` after each checked response, ``("alive", why)`` while it is slow but
not stuck, then one ``("result", CellReport)``.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import signal
import socket
import threading
import time
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from loopdoctor import guard
from loopdoctor.endpoint.answers import Faults
from loopdoctor.guard import binding
from loopdoctor.run import clients, strategies
from loopdoctor.run import scenario as scenario_api
from loopdoctor.run.cell_report import CellReport, ErrorInfo, ForeignUse, LeakInfo, Requests
from loopdoctor.run.clients import Ask, backoff
from loopdoctor.run.harness import sandbox
from loopdoctor.run.harness.watchdog import Reporter, Watchdog

T = TypeVar("T")
API_KEY = "sk-loopdoctor-dummy"
PR_SET_PDEATHSIG = 1
NICENESS = 5  # the harness and the endpoint must never wait behind busy cells
SPARE_NICENESS = 5  # more for a cell that cannot hang: it has the timeout to spare
INET_FAMILIES = (socket.AF_INET, socket.AF_INET6)


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
    guard: bool = False  # raise CrossLoopError at the first foreign use, instead of hanging
    client: str = clients.DEFAULT  # the kind of client the built-in strategies make
    call: str | None = None  # the user's MOD:FN that asks the factory's clients
    may_hang: bool = False  # served first: its timeout runs from when it goes quiet


class ResponseMismatch(AssertionError):
    """The endpoint echoes the question: any other answer went to the wrong caller."""


class CellContext:
    """The :class:`loopdoctor.run.scenario.Context` a scenario body gets."""

    def __init__(self, spec: CellSpec, stream: bool, strategy: strategies.Strategy,
                 bridge: strategies.Bridge | None, reporter: Reporter) -> None:
        self.stream = stream
        self.made = 0
        self.kind: str | None = None  # the kind of the clients asked
        self._spec = spec
        self._strategy = strategy
        self._bridge = bridge
        self._reporter = reporter
        self._lock = threading.Lock()

    @contextlib.asynccontextmanager
    async def client(self) -> AsyncIterator[Any]:
        async with self._strategy.lease(self._spec.base_url, API_KEY) as client:
            kind = self._strategy.kind_of(client)
            check_aim(kind, client)
            self.kind = self.kind or kind.name
            yield client

    async def ask(self, client: Any, label: str, latency: float | None = None) -> str:
        with self._lock:
            self.made += 1
            text = f"{label} [{self.made}]"
        if latency is not None:  # in the question, which every kind of client sends as it is
            text += " " + Faults(latency=latency).tag()
        ask = Ask(self._spec.base_url, text, self.stream)
        answer = "".join([piece async for piece in self._strategy.ask(client, ask)])
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


def check_aim(kind: clients.ClientKind, client: Any) -> None:
    """Fail clearly on a client aimed off this machine."""
    host = kind.host(client)
    if host and not sandbox.is_loopback(host):
        raise sandbox.refuse(host)


def foreign_uses() -> tuple[ForeignUse, ...]:
    """The clients that were used from a loop other than their owner, and by whom."""
    return tuple(
        ForeignUse(kind=b.kind, created_at=binding.short_path(b.where),
                   created_thread=b.created_thread,
                   owner=b.owner.label if b.owner else None,
                   owner_closed=b.owner.closed if b.owner else False,
                   used_from=b.foreign_uses[0].label)
        for b in binding.bindings() if b.foreign_uses
    )


def measure_leaks(strategy: strategies.Strategy, port: int | None) -> LeakInfo:
    gc.collect()
    holding: set[int] = set()
    open_clients = 0
    for record, client in binding.live():
        if is_closed(client):
            continue
        open_clients += 1
        loop = record.owner or record.created_loop
        if loop is not None and loop.closed:
            holding.add(loop.number)
    return LeakInfo(
        clients_created=sum(n for kind, n in binding.created.items()
                            if not kind.startswith("asyncio.")),
        clients_open=open_clients,
        dead_loops_holding=len(holding),
        sockets_open=open_sockets(port),
        cache_entries=strategy.cache_size(),
    )


def is_closed(client: Any) -> bool:
    """httpx and httpx2 clients say ``is_closed``, aiohttp sessions ``closed``."""
    return bool(getattr(client, "is_closed", getattr(client, "closed", True)))


def open_sockets(port: int | None) -> int:
    """This process's TCP connections to ``port``, found among its own descriptors (listing
    the system's TCP table, as psutil does, costs a cell more than its scenario)."""
    if port is None:
        return 0
    count = 0
    for fd in map(int, os.listdir("/proc/self/fd")):
        try:
            if not os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                continue
            sock = socket.socket(fileno=fd)
        except OSError:
            continue
        try:
            tcp = sock.family in INET_FAMILIES and sock.type == socket.SOCK_STREAM
            count += tcp and sock.getpeername()[1] == port
        except OSError:  # not connected
            pass
        finally:
            sock.detach()
    return count


def die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _silence_output() -> None:
    """What the scenario's libraries print ("Task exception was never retrieved"...) is noise
    in the run's report: the result carries what matters."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def main(spec: CellSpec, conn: Connection) -> None:
    """The child process's entry point."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    os.setpgid(0, 0)  # a group of its own: the parent kills what the scenario started with it
    os.nice(NICENESS if spec.may_hang else NICENESS + SPARE_NICENESS)
    die_with_parent()
    _silence_output()
    reporter = Reporter(conn)
    try:
        reporter.finish(run_cell(spec, reporter))
    except BaseException as exc:
        reporter.finish(CellReport(error=ErrorInfo.of(exc), setup_failed=True))


def load_targets(targets: tuple[str | None, str | None, str | None], conn: Connection) -> None:
    """A process of its own, forked like a cell, that imports the user's factory, bridge and
    call (at once: the forkserver has imported them) and sends what is wrong, or None."""
    die_with_parent()
    _silence_output()
    try:
        strategies.load_targets(*targets)
        conn.send(None)
    except strategies.LoadError as exc:
        conn.send(str(exc))
    os._exit(0)


def run_cell(spec: CellSpec, reporter: Reporter) -> CellReport:
    sandbox.loopback_only()
    scenario = scenario_api.load(tuple(map(Path, spec.scenario_dirs)))[spec.scenario]
    if scenario.pool_limit:
        sandbox.limit_async_pools(scenario.pool_limit)
    mock = None
    if spec.endpoint == "respx":
        from loopdoctor.endpoint.mock import MockEndpoint  # respx and httpx: these cells only

        mock = MockEndpoint().start()
    if spec.guard:
        guard.install("raise")
    else:
        binding.activate()
    strategy = strategies.create(spec.strategy, spec.client, spec.call)
    bridge = strategies.load_callable(spec.bridge) if spec.bridge else None
    ctx = CellContext(spec, scenario.stream, strategy, bridge, reporter)
    started = time.perf_counter()

    def describe() -> CellReport:
        return CellReport(
            seconds=time.perf_counter() - started,
            requests=Requests(made=ctx.made,
                              mock_answered=mock.answered if mock is not None else None,
                              retries=backoff.SKIPPED.retries,
                              backoff_skipped=backoff.SKIPPED.seconds,
                              backoff_waited=backoff.SKIPPED.unhooked > 0),
            foreign_uses=foreign_uses(),
            client=ctx.kind,
        )

    watchdog = Watchdog(reporter, spec.timeout, spec.stats_url, describe)
    watchdog.start()
    reporter.playing()
    error = None
    try:
        scenario.body(ctx)
        if ctx.made != scenario.requests:
            raise AssertionError(f"scenario {scenario.name!r} states {scenario.requests} "
                                 f"requests but made {ctx.made}")
    except BaseException as exc:
        error = ErrorInfo.of(exc)
    watchdog.stop()
    port = None if mock is not None else urlsplit(spec.base_url).port
    return replace(describe(), error=error, leak=measure_leaks(strategy, port))

