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


@dataclass(frozen=True)
class Stacked:
    """An expectation that differs by SDK generation (openai 2.x retries what 3.x raises)."""

    v3: Outcome
    v2: Outcome

    def on(self, generation: int) -> Outcome:
        return self.v2 if generation < 3 else self.v3


Expected = Outcome | Stacked

# openai 3.x raises the cross-loop error itself; openai 2.x retries it, then may pass (MASKED).
ERROR_OR_MASKED = Stacked(v3=Outcome.ERROR, v2=Outcome.MASKED)

CROSS_LOOP_SIGNATURES = {
    "event loop is closed": "the client's connections belong to a loop that has closed",
    "bound to a different event loop": "an asyncio primitive of another loop was awaited",
    "attached to a different loop": "a future of another loop was awaited",
    "crosslooperror": "the guard stopped a use from a loop the client does not belong to",
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
