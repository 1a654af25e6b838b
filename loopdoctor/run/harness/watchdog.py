"""The cell's side of the pipe, and the thread that decides, from inside, that the cell hangs.

A cell hangs when it stays quiet for ``timeout`` seconds: no checked response, no thread of its
own runnable (a starved cell on a busy machine is not hung), no request of its own in flight at
the server (a slow server is not a client hang), and no loop with a timer due within the timeout
(an SDK waiting out its retry backoff is not stuck). Then the watchdog confirms with a snapshot
(see ``introspect``; its first sample is taken just before the timeout) and reports. Past
``HARD_LIMIT`` timeouts without a response, it reports a hang whatever it sees.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from multiprocessing.connection import Connection
from typing import Any

from loopdoctor.run.cell_report import CellReport, HangInfo
from loopdoctor.run.harness import introspect

SAMPLE = 0.05  # seconds between two looks at the cell's threads, near its timeout
FAR_SAMPLE = 0.25  # the same while the timeout is further away than this
HARD_LIMIT = 4  # timeouts without a response after which busy or not, it is a hang


class Reporter:
    """The cell's side of the pipe; safe to call from any thread; the first result wins."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self._finished = False
        self.last_progress = time.monotonic()

    def _send(self, message: tuple[str, Any]) -> None:
        with self._lock:
            if not self._finished:
                self._conn.send(message)

    def progress(self, made: int) -> None:
        self.last_progress = time.monotonic()
        self._send(("progress", made))

    def playing(self) -> None:
        """Tell the parent that the cell is set up and its scenario starts."""
        self._send(("playing", None))

    def alive(self, why: str) -> None:
        """Tell the parent that the cell is slow, not stuck, so that it waits on."""
        self._send(("alive", why))

    def finish(self, report: CellReport) -> None:
        with self._lock:
            if self._finished:
                return
            self._finished = True
            with contextlib.suppress(OSError):
                self._conn.send(("result", report))
        os._exit(0)  # threads stuck in the scenario must not keep the process alive


def runnable_threads() -> int:
    """Threads of this process, the caller aside, that are running or waiting for a CPU."""
    me = threading.get_native_id()
    count = 0
    with contextlib.suppress(OSError):
        for tid in os.listdir("/proc/self/task"):
            if int(tid) == me:
                continue
            with contextlib.suppress(OSError), open(f"/proc/self/task/{tid}/stat") as stat:
                count += stat.read().rpartition(")")[2].split()[0] == "R"
    return count


def server_view(stats_url: str | None) -> dict[str, int]:
    """The endpoint's counters for this cell (empty with no endpoint, or none that answers)."""
    if stats_url is None:
        return {}
    try:
        with urllib.request.urlopen(stats_url, timeout=1) as response:
            return dict(json.load(response))
    except (OSError, ValueError):
        return {}


class Watchdog(threading.Thread):
    def __init__(self, reporter: Reporter, timeout: float, stats_url: str | None,
                 describe: Callable[[], CellReport]) -> None:
        super().__init__(name="loopdoctor-watchdog", daemon=True)
        self._reporter = reporter
        self._timeout = timeout
        self._stats_url = stats_url
        self._describe = describe
        self._done = threading.Event()
        self._last_busy = time.monotonic()
        self._last_alive = time.monotonic()

    def stop(self) -> None:
        self._done.set()

    def run(self) -> None:
        first: introspect.FirstLook | None = None  # the snapshot's first sample, taken early
        while not self._done.wait(self._next_look(first)):
            now = time.monotonic()
            if runnable_threads():
                self._last_busy = now
            quiet = now - self._quiet_since()
            if quiet < self._timeout - introspect.SAMPLE_INTERVAL:
                first = None
                self._keep_parent_waiting(now)
                continue
            if first is None or first.at < self._quiet_since():
                first = introspect.first_look()
            if quiet < self._timeout:
                continue
            server = server_view(self._stats_url)
            stuck_for = now - self._reporter.last_progress
            if stuck_for < HARD_LIMIT * self._timeout and self._waiting(server):
                self._last_busy = now
                continue
            hang = HangInfo(server=server, diagnostics=introspect.snapshot(first))
            self._reporter.finish(replace(self._describe(), hang=hang))

    def _quiet_since(self) -> float:
        return max(self._reporter.last_progress, self._last_busy)

    def _waiting(self, server: dict[str, int]) -> bool:
        """Quiet, but for a reason: the server owes the cell an answer, or a loop has a timer
        due within the timeout (a retry's backoff reads as silence, not as a hang)."""
        if server.get("in_flight"):
            return True
        due = introspect.soonest_timer()
        return due is not None and due < self._timeout

    def _next_look(self, first: introspect.FirstLook | None) -> float:
        """Look often only near the timeout: a thread that works, or waits for a CPU, stays
        runnable long enough to be seen anyway, and every look costs the cell CPU. Wake up
        for the snapshot's first sample ``SAMPLE_INTERVAL`` before the timeout, so that a hang
        is reported at the timeout rather than a sample later."""
        quiet_since = self._quiet_since()
        looked = first is not None and first.at >= quiet_since
        due = self._timeout - (time.monotonic() - quiet_since)
        due -= 0.0 if looked else introspect.SAMPLE_INTERVAL
        return min(FAR_SAMPLE, due) if due > 0 else SAMPLE

    def _keep_parent_waiting(self, now: float) -> None:
        since_news = now - max(self._reporter.last_progress, self._last_alive)
        if since_news > self._timeout / 2:
            self._last_alive = now
            self._reporter.alive("busy")
