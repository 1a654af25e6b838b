"""The parent side: fork cells from a preloaded forkserver, watch them, judge them, kill them.

A cell that sends no progress for ``timeout`` seconds reports its own hang (with diagnostics);
one that cannot, because it is wedged harder than that, is killed at ``timeout + GRACE``.
Every child is killed with SIGKILL once it has answered, on Ctrl-C and at exit, so that none
outlives the run.
"""

from __future__ import annotations

import itertools
import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from loopdoctor import sdk, strategies
from loopdoctor.endpoint import Endpoint, Faults
from loopdoctor.harness.child import CellSpec
from loopdoctor.harness.child import main as child_main
from loopdoctor.harness.explain import explain
from loopdoctor.verdict import Outcome, classify

GRACE = 1.0  # seconds the parent waits past the timeout for the cell's own hang report
CELL_LATENCY = 0.02  # the endpoint's latency: long enough that concurrent requests overlap
MAX_JOBS = 256
PRELOAD = ["loopdoctor.harness.child"]
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
    preload: tuple[str, ...] = ()  # user modules worth importing once, in the forkserver


@dataclass
class CellResult:
    cell: Cell
    outcome: Outcome
    expected: Outcome | None
    seconds: float
    requests: dict[str, int | None]
    explanation: str
    error: dict[str, Any] | None = None
    leak: dict[str, Any] = field(default_factory=dict)
    diagnostics: dict[str, Any] | None = None
    runs: int = 1
    rate: float | None = None  # share of runs with this outcome, with --repeat

    @property
    def unexpected(self) -> bool:
        return self.expected is not None and self.outcome is not self.expected


class Harness:
    """``with Harness(options) as harness: harness.run(cells)``."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.stack = sdk.detect()
        self._mp = multiprocessing.get_context("forkserver")
        self._mp.set_forkserver_preload(PRELOAD + list(options.preload))
        self._endpoint = Endpoint(faults=Faults(latency=CELL_LATENCY))
        self._children: set[Any] = set()
        self._lock = threading.Lock()
        self._closed = False

    def __enter__(self) -> Harness:
        self._endpoint.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            children = list(self._children)
        for child in children:
            _kill(child)
        self._endpoint.stop()

    def run(self, cells: list[Cell],
            on_result: Callable[[CellResult], None] = lambda result: None) -> list[CellResult]:
        jobs = min(self.options.jobs or len(cells), MAX_JOBS) or 1

        def one(cell: Cell) -> CellResult:
            result = self.run_cell(cell)
            on_result(result)
            return result

        with ThreadPoolExecutor(jobs, thread_name_prefix="loopdoctor-cell") as pool:
            try:
                return list(pool.map(one, cells))
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                self.close()
                raise

    def run_cell(self, cell: Cell) -> CellResult:
        runs = [self._judge(cell, self._spawn(cell)) for _ in range(self.options.repeat)]
        return _combine(runs)

    def _spawn(self, cell: Cell) -> dict[str, Any]:
        cell_id = f"c{next(_cell_ids)}"
        spec = CellSpec(
            cell_id=cell_id, scenario=cell.scenario, strategy=cell.strategy,
            endpoint=cell.endpoint, base_url=self._endpoint.cell_base_url(cell_id),
            timeout=self.options.timeout, scenario_dirs=self.options.scenario_dirs,
            bridge=self.options.bridge,
            stats_url=f"http://127.0.0.1:{self._endpoint.port}/_loopdoctor/stats?cell={cell_id}",
        )
        receiver, sender = self._mp.Pipe(duplex=False)
        child = self._mp.Process(target=child_main, args=(spec, sender), daemon=True)
        with self._lock:
            if self._closed:
                raise RuntimeError("the run was stopped")
            child.start()
            self._children.add(child)
        sender.close()
        started = time.monotonic()
        try:
            raw = _await_result(receiver, self.options.timeout)
        finally:
            _kill(child)
            with self._lock:
                self._children.discard(child)
            receiver.close()
        raw.setdefault("seconds", time.monotonic() - started)
        raw["cell_stats"] = self._endpoint.stats(cell_id)
        raw["exitcode"] = child.exitcode
        return raw

    def _judge(self, cell: Cell, raw: dict[str, Any]) -> CellResult:
        requests = dict(raw.get("requests") or {"made": 0})
        seen_by_server = raw["cell_stats"]["requests"]
        if cell.endpoint == "respx":
            requests["server_saw"] = requests.pop("mock_answered", 0) or 0
            if seen_by_server and not raw.get("error"):
                raw["error"] = {"message": f"the transport mock did not intercept: "
                                           f"{seen_by_server} request(s) reached the server",
                                "chain": "", "cross_loop": None}
        else:
            requests.pop("mock_answered", None)
            requests["server_saw"] = seen_by_server
        raw["requests"] = requests
        outcome = classify(raw)
        return CellResult(
            cell=cell,
            outcome=outcome,
            expected=self._expected(cell),
            seconds=raw["seconds"],
            requests=requests,
            explanation=explain(outcome, raw, self.options.timeout),
            error=raw.get("error"),
            leak=raw.get("leak") or {},
            diagnostics=raw.get("diagnostics"),
        )

    def _expected(self, cell: Cell) -> Outcome | None:
        cls = strategies.BUILTINS.get(cell.strategy)
        if cls is None:
            return None
        return cls.expected_outcome(cell.scenario, self.stack.generation, cell.endpoint)


def _await_result(receiver: Any, timeout: float) -> dict[str, Any]:
    """Read progress until a result; give up ``timeout + GRACE`` after the last progress."""
    while True:
        if not receiver.poll(timeout + GRACE):
            return {"hang": True, "diagnostics": None}
        try:
            kind, payload = receiver.recv()
        except (EOFError, OSError):
            return {"error": {"message": "the cell process died without a result",
                              "chain": "", "cross_loop": None}}
        if kind == "result":
            return payload


def _kill(child: Any) -> None:
    if child.is_alive():
        child.kill()
    child.join(timeout=5)


def _combine(runs: Iterable[CellResult]) -> CellResult:
    """One result for repeated runs: the worst outcome seen, and how often it was seen."""
    runs = list(runs)
    if len(runs) == 1:
        return runs[0]
    order = list(Outcome)
    worst = max(runs, key=lambda r: (r.outcome is not Outcome.PASS, -order.index(r.outcome)))
    counts = Counter(r.outcome for r in runs)
    worst.runs = len(runs)
    worst.rate = counts[worst.outcome] / len(runs)
    return worst
