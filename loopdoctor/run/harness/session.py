"""One ``loopdoctor run``: start the harness, run the cells, judge the whole."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FrameType

from loopdoctor.run.harness.runner import Cell, CellResult, Harness, RunOptions


@dataclass(frozen=True)
class RunReport:
    results: list[CellResult]
    stack: str
    timeout: float
    wall_seconds: float

    def row_names(self) -> list[str]:
        return list(dict.fromkeys(row_name(r) for r in self.results))

    def scenario_names(self) -> list[str]:
        return list(dict.fromkeys(r.cell.scenario for r in self.results))

    def passing(self) -> list[str]:
        failed = {row_name(r) for r in self.results if r.outcome.failed}
        return [row for row in self.row_names() if row not in failed]

    def unexpected(self) -> list[CellResult]:
        return [r for r in self.results if r.unexpected]


def row_name(result: CellResult) -> str:
    endpoint = result.cell.endpoint
    return result.cell.strategy + ("" if endpoint == "loopback" else f" ({endpoint})")


class Session:
    """``with Session(options) as session: session.execute(cells)``. The harness starts on entry
    and boots (forkserver, endpoint) while the caller does other work before ``execute``."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self._exits = contextlib.ExitStack()

    def __enter__(self) -> Session:
        self._started = time.monotonic()
        self._exits.enter_context(_sigterm_unwinds())
        self._harness = self._exits.enter_context(Harness(self.options))
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._exits.close()

    def check_targets(self) -> str | None:
        return self._harness.check_targets()

    def execute(self, cells: list[Cell],
                on_done: Callable[[Cell], None] = lambda cell: None) -> RunReport:
        results = self._harness.run(cells, on_done)
        return RunReport(results, self._harness.stack_label(results), self.options.timeout,
                         time.monotonic() - self._started)


def execute(cells: list[Cell], options: RunOptions,
            on_done: Callable[[Cell], None] = lambda cell: None) -> RunReport:
    with Session(options) as session:
        return session.execute(cells, on_done)


def _exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """SIGTERM (``timeout``, a CI runner stopping a job) unwinds like Ctrl-C, so that the harness
    kills what its cells started; by default it would end this process on the spot."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def exit_code(report: RunReport, factory: str | None, allowed: set[str]) -> int:
    """1 when the user's factory fails a scenario (outcomes in ``allowed`` aside), or when a
    built-in strategy's verdict is not the one it declares; else 0."""
    gate_failed = any(
        r.cell.strategy == factory and r.outcome.failed and r.outcome.value not in allowed
        for r in report.results
    )
    return 1 if gate_failed or report.unexpected() else 0
