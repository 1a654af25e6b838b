"""Outcomes of a cell, and how one is decided from what the cell measured."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # cell_report builds on cross_loop_signature, below
    from loopdoctor.run.cell_report import CellReport


class Outcome(str, Enum):
    PASS = "PASS"
    HANG = "HANG"  # no progress within the timeout
    ERROR = "ERROR"  # the scenario raised
    MASKED = "MASKED"  # passed, but the server saw more requests than were made: retries hid errors
    LEAK = "LEAK"  # passed, but clients or sockets stay held for loops that have closed

    @property
    def failed(self) -> bool:
        return self is not Outcome.PASS

    def allows(self, outcome: Outcome | str) -> bool:
        """Whether ``outcome`` is this expectation (see :class:`Either`)."""
        return Outcome(outcome) is self


@dataclass(frozen=True)
class Stacked:
    """An expectation that differs by the HTTP library under the client: the SDKs built on httpx
    (openai 2.x, anthropic 0.x) retry what those built on httpx2 raise."""

    httpx2: Outcome
    httpx: Outcome

    def on(self, http: str) -> Outcome:
        return self.httpx if http == "httpx" else self.httpx2


@dataclass(frozen=True)
class Either:
    """An expectation a race decides: which loop reaches a one-connection pool first (aiohttp
    hangs when the session's own loop waits, raises when the other one does)."""

    outcomes: tuple[Outcome, ...]

    def allows(self, outcome: Outcome | str) -> bool:
        return Outcome(outcome) in self.outcomes

    @property
    def value(self) -> str:
        return " or ".join(outcome.value for outcome in self.outcomes)


Expected = Outcome | Stacked | Either

# The SDKs on httpx2 raise the cross-loop error; those on httpx retry it, then may pass (MASKED).
ERROR_OR_MASKED = Stacked(httpx2=Outcome.ERROR, httpx=Outcome.MASKED)

CROSS_LOOP_SIGNATURES = {
    "event loop is closed": "the client's connections belong to a loop that has closed",
    "bound to a different event loop": "an asyncio primitive of another loop was awaited",
    "attached to a different loop": "a future of another loop was awaited",
    "crosslooperror": "the guard stopped a use from a loop the client does not belong to",
    "timeout context manager should be used inside a task": (
        "an aiohttp session was used from a loop other than its own (its timer looked for the "
        "request's task on the session's loop)"),
}

# A leak is growth: one dead loop still holding a client is a stale cache, not a leak.
LEAK_THRESHOLD = 2


def cross_loop_signature(text: str) -> str | None:
    """The cross-loop symptom an error message shows, if any."""
    lowered = text.lower()
    for needle, meaning in CROSS_LOOP_SIGNATURES.items():
        if needle in lowered:
            return meaning
    return None


def classify(report: CellReport) -> Outcome:
    """HANG > ERROR > MASKED > LEAK > PASS, from a finished cell's measurements."""
    if report.hang:
        return Outcome.HANG
    if report.error:
        return Outcome.ERROR
    if report.requests.server_saw > report.requests.made:
        return Outcome.MASKED
    if report.leak and report.leak.dead_loops_holding >= LEAK_THRESHOLD:
        return Outcome.LEAK
    return Outcome.PASS


def first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0]
