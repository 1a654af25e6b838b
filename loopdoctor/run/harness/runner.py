"""The parent side: fork cells from a preloaded forkserver, watch them, judge them, kill them.

One thread does it all: it starts cells while the CPU allows, waits on their pipes, and gives up
on a cell that said nothing for ``timeout + GRACE`` (a cell reports its own hang, with
diagnostics, after ``timeout``; one that cannot is wedged harder than that). Every child is
killed with SIGKILL once it has answered, on Ctrl-C and at exit, so that none outlives the run.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import selectors
import signal
import sys
import time
import types
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import psutil

from loopdoctor.endpoint.answers import Faults
from loopdoctor.endpoint.process import EndpointProcess
from loopdoctor.run import clients, strategies
from loopdoctor.run import scenario as scenario_api
from loopdoctor.run.cell_report import CellReport, ErrorInfo, HangInfo, LeakInfo, Requests
from loopdoctor.run.harness import forkserver
from loopdoctor.run.harness.child import CellSpec, load_targets
from loopdoctor.run.harness.child import main as child_main
from loopdoctor.run.harness.explain import explain
from loopdoctor.run.harness.watchdog import HARD_LIMIT
from loopdoctor.run.verdict import Either, Outcome, classify

GRACE = 1.0  # seconds the parent waits past the timeout for the cell's own hang report
POLL = 0.02  # seconds between two looks at the running cells' pipes
QUIET = 0.05  # a cell whose CPU time has not moved for this long is waiting, not working
CELL_LATENCY = 0.02  # the endpoint's latency: long enough that concurrent requests overlap
MAX_JOBS = 256
DEATH_WAIT = 0.2  # seconds to learn the exit status of a cell whose pipe closed unannounced
_cell_ids = itertools.count(1)


@dataclass(frozen=True)
class Cell:
    scenario: str
    strategy: str
    endpoint: str = "loopback"


@dataclass(frozen=True)
class RunOptions:
    timeout: float = 5.0
    jobs: int | None = None
    repeat: int = 1
    scenario_dirs: tuple[str, ...] = ()
    bridge: str | None = None
    preload: tuple[str, ...] = ()  # the libraries the forkserver imports for every cell
    client: str = clients.DEFAULT  # the kind of client the built-in strategies make
    factory: str | None = None  # the user's MOD:FN factory, if a row is theirs
    call: str | None = None  # the user's MOD:FN that asks the factory's clients

    @property
    def targets(self) -> tuple[str | None, str | None, str | None]:
        """The user's factory, bridge and call."""
        return self.factory, self.bridge, self.call
    guard: bool = False  # cells raise CrossLoopError instead of hanging
    busy_limit: int | None = None  # cells using the CPU at once [default: 3 per core]


@dataclass(frozen=True)
class CellResult:
    cell: Cell
    outcome: Outcome
    expected: Outcome | Either | None
    report: CellReport  # what the cell measured, the parent's counts included
    explanation: str
    runs: int = 1
    rate: float | None = None  # share of runs with this outcome, with --repeat

    @property
    def unexpected(self) -> bool:
        return self.expected is not None and not self.expected.allows(self.outcome)

    @property
    def seconds(self) -> float:
        return self.report.seconds or 0.0

    @property
    def requests(self) -> Requests:
        return self.report.requests

    @property
    def leak(self) -> LeakInfo | None:
        return self.report.leak

    @property
    def diagnostics(self) -> dict[str, Any] | None:
        return self.report.diagnostics


class Admission:
    """Start a cell only while fewer than ``limit`` running cells are using the CPU.

    Cells that wait (on the server, or hung) cost nothing, so all of them may run at once; cells
    that work share a couple of cores, and too many at once would starve each other into
    looking hung.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._cells: dict[int, tuple[psutil.Process, float, float]] = {}  # pid -> cpu, moved at
        self._working: set[int] = set()  # the cells using the CPU, at the last look
        self._sampled = 0.0

    def add(self, pid: int) -> None:
        with contextlib.suppress(psutil.Error):
            self._cells[pid] = (psutil.Process(pid), 0.0, time.monotonic())
        self._working.add(pid)

    def remove(self, pid: int) -> None:
        self._cells.pop(pid, None)
        self._working.discard(pid)

    def open(self) -> bool:
        self._look()
        return len(self._working) < self._limit

    def working(self, pid: int) -> bool:
        """Whether the cell was using the CPU at the last look (a cell just started is), or
        its scenario waits for a core now: on a loaded machine a cell that works can get no
        CPU time for longer than QUIET."""
        self._look()
        return pid in self._working or self._runnable(pid)

    def worked_since(self, pid: int, since: float) -> bool:
        """Whether the cell used the CPU after ``since``: slow, perhaps starved, not stuck."""
        if pid not in self._cells:
            return False
        self._is_working(pid, time.monotonic())  # refreshes when the CPU time last moved
        return self._cells[pid][2] > since

    def _runnable(self, pid: int) -> bool:
        """Whether the cell's main thread, which plays its scenario, runs or waits for a core
        (one look, not one per thread: this one is asked often)."""
        try:
            return self._cells[pid][0].status() == psutil.STATUS_RUNNING
        except (KeyError, psutil.Error):
            return False

    def _look(self) -> None:
        now = time.monotonic()
        if now - self._sampled > QUIET:
            self._sampled = now
            self._working = {pid for pid in list(self._cells) if self._is_working(pid, now)}

    def _is_working(self, pid: int, now: float) -> bool:
        process, cpu, moved = self._cells[pid]
        try:
            times = process.cpu_times()
        except psutil.Error:
            return False
        if times.user + times.system != cpu:
            self._cells[pid] = (process, times.user + times.system, now)
            return True
        return now - moved < QUIET


@dataclass
class Running:
    """A cell whose process is alive, and when the parent stops waiting for it."""

    cell: Cell
    cell_id: str
    process: Any
    receiver: Any
    started: float
    deadline: float
    heard: float  # when the cell last said something
    may_hang: bool = False
    playing: bool = False  # set up, its scenario started


class Harness:
    """``with Harness(options) as harness: harness.run(cells)``."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.kind = clients.KINDS[options.client]
        self._mp = multiprocessing.get_context("forkserver")
        self._endpoint = EndpointProcess(
            faults=Faults(latency=CELL_LATENCY, interval=CELL_LATENCY))
        self._running: dict[Any, Running] = {}  # receiver -> cell
        self._pipes = selectors.DefaultSelector()  # the running cells' receivers
        self._reaped: list[Any] = []
        self._admission = Admission(options.busy_limit or 3 * (os.cpu_count() or 1))
        self._scenarios = scenario_api.load(tuple(map(Path, options.scenario_dirs)))
        self._hang_prone: dict[Cell, bool] = {}
        self._closed = False

    def __enter__(self) -> Harness:
        """Start the forkserver (or keep the one started for this run's modules) and the
        endpoint; both boot while the caller goes on."""
        try:
            forkserver.start(forkserver.Boot.of(self.options.preload, self.options.targets))
            self._endpoint.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._closed = True
        self._reap_all()
        self._pipes.close()
        self._endpoint.stop()
        forkserver.stop()

    def _reap_all(self) -> None:
        for running in list(self._running.values()):
            self._reap(running)
        for process in self._reaped:
            process.join(timeout=5)
        self._reaped.clear()

    def check_targets(self) -> str | None:
        """What is wrong with the user's factory, bridge or call, if anything: found in a
        process forked from the forkserver, which imports them while it boots (importing them
        here too would cost this process a second of CPU while two others boot)."""
        targets = self.options.targets
        if not any(targets):
            return None
        receiver, sender = self._mp.Pipe(duplex=False)
        process = self._mp.Process(target=load_targets, args=(targets, sender), daemon=True)
        try:
            with _main_script_hidden():
                process.start()
            self._reaped.append(process)
            sender.close()
            return receiver.recv()
        except (EOFError, OSError):  # the forkserver, or the check, died of an import
            modules = ", ".join(t.partition(":")[0] for t in targets if t)
            return f"importing {modules} ended the process that imported it (a crash, or an exit)"
        finally:
            sender.close()
            receiver.close()

    def run(self, cells: list[Cell],
            on_done: Callable[[Cell], None] = lambda cell: None) -> list[CellResult]:
        """Run every cell ``repeat`` times, as many at once as ``jobs`` and the CPU allow; the
        harness can run again until it is closed."""
        if self._closed:
            raise RuntimeError("this harness is closed: start a new one to run more cells")
        self._endpoint.wait_ready()
        pending = deque(itertools.chain.from_iterable(
            [cell] * self.options.repeat for cell in sorted(cells, key=self._start_order)))
        jobs = min(self.options.jobs or len(pending), MAX_JOBS) or 1
        runs: dict[Cell, list[tuple[str, CellReport]]] = {cell: [] for cell in cells}

        def finish(running: Running, report: CellReport) -> None:
            self._reap(running)
            if report.seconds is None:
                report = replace(report, seconds=time.monotonic() - running.started)
            runs[running.cell].append((running.cell_id, report))
            if len(runs[running.cell]) == self.options.repeat:
                on_done(running.cell)

        try:
            while pending or self._running:
                while pending and len(self._running) < jobs and self._admits(pending[0]):
                    self._start(pending.popleft())
                self._poll(finish)
            server = self._endpoint.all_stats()
        finally:
            self._reap_all()
        return [_combine([self._judge(cell, report, server.get(cell_id, {}).get("requests", 0))
                          for cell_id, report in runs[cell]])
                for cell in cells]

    def _admits(self, cell: Cell) -> bool:
        """Whether the CPU allows another cell now. One that cannot hang also waits while a cell
        that may hang is setting up or works: a hung cell's timeout runs from when it goes
        quiet, which the others setting up beside it on the same cores would delay."""
        if not self._admission.open():
            return False
        return self._may_hang(cell) or not any(
            running.may_hang and (not running.playing
                                  or self._admission.working(running.process.pid))
            for running in self._running.values())

    def _start_order(self, cell: Cell) -> tuple[bool, int]:
        """Cells that may hang first: they wait out the timeout without using the CPU while the
        others run. Then the scenarios that make the most requests, so that no long cell
        starts last."""
        scenario = self._scenarios.get(cell.scenario)
        return not self._may_hang(cell), -(scenario.requests if scenario else 0)

    def _may_hang(self, cell: Cell) -> bool:
        """Whether the cell's strategy may hang; for a strategy that declares nothing (the
        user's factory), whether any built-in one may on this scenario."""
        if cell not in self._hang_prone:
            expected = self._expected(cell)
            self._hang_prone[cell] = expected.allows(Outcome.HANG) if expected else any(
                cls.expected_outcome(cell.scenario, self.kind, cell.endpoint)
                .allows(Outcome.HANG) for cls in strategies.BUILTINS.values())
        return self._hang_prone[cell]

    def _start(self, cell: Cell) -> None:
        cell_id = f"c{next(_cell_ids)}"
        may_hang = self._may_hang(cell)
        spec = CellSpec(
            cell_id=cell_id, scenario=cell.scenario, strategy=cell.strategy,
            endpoint=cell.endpoint, base_url=self._endpoint.cell_base_url(cell_id),
            timeout=self.options.timeout, scenario_dirs=self.options.scenario_dirs,
            bridge=self.options.bridge, stats_url=self._endpoint.stats_url(cell_id),
            guard=self.options.guard, client=self.options.client, call=self.options.call,
            may_hang=may_hang,
        )
        receiver, sender = self._mp.Pipe(duplex=False)
        process = self._mp.Process(target=child_main, args=(spec, sender), daemon=True)
        with _main_script_hidden():
            process.start()
        sender.close()
        now = time.monotonic()
        self._pipes.register(receiver, selectors.EVENT_READ)
        self._running[receiver] = Running(cell, cell_id, process, receiver, now,
                                          now + self.options.timeout + GRACE, now, may_hang)
        self._admission.add(process.pid)

    def _poll(self, finish: Callable[[Running, CellReport], None]) -> None:
        """Read what the cells said in the next few milliseconds; give up on the silent ones."""
        for key, _ in self._pipes.select(timeout=POLL):
            receiver = key.fileobj
            running = self._running[receiver]
            try:
                kind, payload = receiver.recv()
            except (EOFError, OSError):
                finish(running, CellReport(error=ErrorInfo.said(_death(running.process))))
                continue
            if kind == "result":
                finish(running, payload)
            else:  # playing, progress, or alive: the cell is slow, not stuck
                running.playing = True
                running.heard = time.monotonic()
                running.deadline = running.heard + self.options.timeout + GRACE
        now = time.monotonic()
        for running in [r for r in self._running.values() if r.deadline < now]:
            if self._starved(running, now):
                running.deadline = now + GRACE
            else:
                finish(running, CellReport(hang=HangInfo()))

    def _starved(self, running: Running, now: float) -> bool:
        """A silent cell that still uses the CPU is too starved to report, not hung (up to
        the watchdog's hard limit)."""
        within_limit = now - running.heard < HARD_LIMIT * self.options.timeout
        return within_limit and self._admission.worked_since(running.process.pid,
                                                              now - self.options.timeout)

    def _reap(self, running: Running) -> None:
        """Kill the cell's process and what it started (its process group); it is waited for at
        the end, not while cells run."""
        for kill in (os.kill, os.killpg):
            with contextlib.suppress(ProcessLookupError):
                kill(running.process.pid, signal.SIGKILL)
        self._reaped.append(running.process)
        self._pipes.unregister(running.receiver)
        running.receiver.close()
        self._admission.remove(running.process.pid)
        self._running.pop(running.receiver, None)

    def _judge(self, cell: Cell, report: CellReport, seen_by_server: int) -> CellResult:
        report = _with_server_count(report, cell.endpoint, seen_by_server)
        outcome = classify(report)
        return CellResult(cell=cell, outcome=outcome, expected=self._expected(cell), report=report,
                          explanation=explain(outcome, report, self.options.timeout))

    def _expected(self, cell: Cell) -> Outcome | Either | None:
        cls = strategies.BUILTINS.get(cell.strategy)
        if cls is None or self.options.guard:  # the guard turns failures into errors
            return None
        return cls.expected_outcome(cell.scenario, self.kind, cell.endpoint)

    def stack_label(self, results: list[CellResult]) -> str:
        """The libraries the cells' clients ran on: those of the kinds they asked (the built-in
        strategies' kind when none said)."""
        asked = dict.fromkeys(r.report.client for r in results if r.report.client)
        if not asked:
            return self.kind.label
        return " | ".join(clients.label(name, self.options.call) for name in asked)


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Start a cell without asking it to re-run the parent's ``__main__``: a cell runs
    ``child.main`` and nothing from the main script. Before 3.13, multiprocessing never
    preloads ``__main__`` in the forkserver (CPython gh-126631), so every cell would re-run it;
    for the ``loopdoctor`` console script, that is importing the CLI again, ~50 ms a cell."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _death(process: Any) -> str:
    """How a cell that sent no result ended: its exit code, or the signal that killed it."""
    process.join(timeout=DEATH_WAIT)
    code = process.exitcode
    if code is None:
        return "the cell process died without a result"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"the cell process was killed by {signal.Signals(-code).name} (no result)"
    return f"the cell process exited with code {code} (no result)"


def _with_server_count(report: CellReport, endpoint: str, seen_by_server: int) -> CellReport:
    """The report with what reached the server (or, with a transport mock, what it answered);
    a request that slipped past the mock to the server is an error."""
    if endpoint != "respx":
        return replace(report, requests=replace(report.requests, server_saw=seen_by_server))
    requests = replace(report.requests, server_saw=report.requests.mock_answered or 0)
    error = report.error
    if seen_by_server and error is None:
        error = ErrorInfo.said(f"the transport mock did not intercept: {seen_by_server} "
                               "request(s) reached the server")
    return replace(report, requests=requests, error=error)


def _combine(runs: Iterable[CellResult]) -> CellResult:
    """One result for repeated runs: the worst outcome seen, and how often it was seen."""
    runs = list(runs)
    if len(runs) == 1:
        return runs[0]
    order = list(Outcome)
    worst = max(runs, key=lambda r: (r.outcome is not Outcome.PASS, -order.index(r.outcome)))
    counts = Counter(r.outcome for r in runs)
    return replace(worst, runs=len(runs), rate=counts[worst.outcome] / len(runs))
