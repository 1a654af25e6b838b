"""What one cell measured: sent by the child on its pipe, completed by the parent, judged.

Frozen and made only of plain values, so that it pickles across the pipe and nobody changes a
report another part has read; the parent adds what only it knows with ``dataclasses.replace``.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any

from loopdoctor.run.verdict import cross_loop_signature

TRACEBACK_LINES = 8


@dataclass(frozen=True)
class ErrorInfo:
    """An exception the cell raised (or the parent's word for a cell that gave no result)."""

    type: str
    message: str
    chain: str = ""  # the exception and its causes, "Type: message <- Type: message"
    cross_loop: str | None = None  # what the cross-loop signature in ``chain`` means
    traceback: tuple[str, ...] = ()

    @classmethod
    def of(cls, exc: BaseException) -> ErrorInfo:
        chain: list[BaseException] = []
        current: BaseException | None = exc
        while current is not None and current not in chain:
            chain.append(current)
            current = current.__cause__ or current.__context__
        text = " <- ".join(dict.fromkeys(f"{type(e).__name__}: {e}" for e in chain))
        return cls(type=type(exc).__name__, message=str(exc) or type(exc).__name__, chain=text,
                   cross_loop=cross_loop_signature(text),
                   traceback=tuple(traceback.format_exception(exc)[-TRACEBACK_LINES:]))

    @classmethod
    def said(cls, message: str) -> ErrorInfo:
        """An error the harness states itself, with no exception behind it."""
        return cls(type="", message=message)

    @property
    def summary(self) -> str:
        return self.chain or self.message


@dataclass(frozen=True)
class Requests:
    made: int = 0  # checked responses the scenario asked for
    server_saw: int = 0  # what reached the endpoint (or the transport mock): the parent's count
    mock_answered: int | None = None  # the transport mock's count, with --endpoint respx
    retries: int = 0  # the retries whose backoff was skipped (run.clients.backoff)
    backoff_skipped: float = 0.0  # the seconds of backoff the SDK asked for, not slept
    backoff_waited: bool = False  # an SDK client kept its real backoff: it had no hook

    def as_json(self) -> dict[str, Any]:
        skipped = {"retries": self.retries,
                   "backoff_skipped": round(self.backoff_skipped, 3)} if self.retries else {}
        return {"made": self.made, "server_saw": self.server_saw, **skipped}


@dataclass(frozen=True)
class ForeignUse:
    """A client used from a loop other than the one it belongs to."""

    kind: str  # the class, e.g. "httpx2.AsyncClient"
    created_at: str
    created_thread: str
    owner: str | None  # the owning loop's label
    owner_closed: bool
    used_from: str  # the label of the first foreign loop


@dataclass(frozen=True)
class LeakInfo:
    """What is still held after the scenario ended and ``gc.collect()`` ran."""

    clients_created: int = 0
    clients_open: int = 0
    dead_loops_holding: int = 0  # closed loops that still own an open client
    sockets_open: int = 0  # this process's connections to the endpoint
    cache_entries: int | None = None  # what the strategy's cache holds, if it has one


@dataclass(frozen=True)
class HangInfo:
    """The watchdog's view when it gave up on the cell (none when the parent had to)."""

    server: dict[str, int] = field(default_factory=dict)  # the endpoint's counters for the cell
    diagnostics: dict[str, Any] | None = None  # introspect.snapshot(): threads, loops, clients


@dataclass(frozen=True)
class CellReport:
    seconds: float | None = None
    requests: Requests = field(default_factory=Requests)
    foreign_uses: tuple[ForeignUse, ...] = ()
    error: ErrorInfo | None = None
    leak: LeakInfo | None = None
    hang: HangInfo | None = None
    setup_failed: bool = False  # the cell failed before its scenario could start
    client: str | None = None  # the kind of client the scenario asked (run.clients.KINDS)

    @property
    def diagnostics(self) -> dict[str, Any] | None:
        return self.hang.diagnostics if self.hang else None
