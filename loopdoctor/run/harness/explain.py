"""One short paragraph per failed cell: what happened, to which client, and what to change."""

from __future__ import annotations

from loopdoctor.run.cell_report import CellReport, ErrorInfo, HangInfo, LeakInfo
from loopdoctor.run.harness.introspect import HANG_FLAVOURS, stuck_frame
from loopdoctor.run.verdict import Outcome, first_line

FIX_SHARED = ("Fix: give each loop its own client and close it before the loop closes "
              "(strategy loop-scoped), or send every call to one long-lived loop (portal).")
FIX_LEAK = ("Fix: close each loop's client before that loop closes (loop-scoped) instead of "
            "caching one per loop.")


def explain(outcome: Outcome, report: CellReport, timeout: float) -> str:
    if outcome is Outcome.PASS:
        return ""
    parts = {
        Outcome.HANG: _hang,
        Outcome.ERROR: _error,
        Outcome.MASKED: _masked,
        Outcome.LEAK: _leak,
    }[outcome](report, timeout)
    return " ".join(p for p in parts if p)


def _client_story(report: CellReport) -> str:
    if not report.foreign_uses:
        return ""
    use = report.foreign_uses[0]
    owner = f"{use.owner}" + (", now closed" if use.owner_closed else "")
    return (f"The {use.kind} created at {use.created_at} belongs to {owner}; "
            f"{use.used_from} used it.")


def _hang(report: CellReport, timeout: float) -> list[str]:
    hang = report.hang or HangInfo()
    diagnostics = hang.diagnostics
    if not diagnostics:
        return [f"No response for {timeout:g}s and the cell did not answer the watchdog; "
                "it was killed without diagnostics."]
    parts = [f"No response for {timeout:g}s."]
    stuck = stuck_frame(diagnostics)
    if stuck is not None:
        loop, frame = stuck
        why = next(text for key, text in HANG_FLAVOURS.items() if key in frame)
        lost = next((lp for lp in diagnostics["loops"] if lp["loop"] == loop), {})
        parts.append(f"{loop} is stuck in {frame}, {why}.")
        if lost.get("lost_wakeup"):
            parts.append(f"It sits idle in select with {lost['ready']} callback(s) ready: "
                         "a wakeup sent from another loop's thread was lost.")
    parts.append(_client_story(report))
    if "in_flight" in hang.server:
        in_flight = hang.server["in_flight"]
        parts.append(f"The server had {in_flight} request(s) in flight"
                     + (": the client side is stuck, not the server." if not in_flight
                        else "."))
    parts.append(FIX_SHARED)
    return parts


def _error(report: CellReport, timeout: float) -> list[str]:
    error = report.error or ErrorInfo.said("")
    parts = [first_line(error.summary)[:300] + "."]
    if error.cross_loop:
        parts.append(f"Cross-loop: {error.cross_loop}.")
        parts += [_client_story(report), FIX_SHARED]
    elif report.setup_failed:
        parts.append("The cell could not start the scenario.")
    return parts


def _masked(report: CellReport, timeout: float) -> list[str]:
    requests = report.requests
    return [f"Passed only because the SDK retried: the server saw {requests.server_saw} "
            f"requests for {requests.made} made.", _backoff(report), _client_story(report),
            FIX_SHARED]


def _backoff(report: CellReport) -> str:
    """What the retries cost: skipped here (the SDK's hook reached), or waited."""
    requests = report.requests
    waited = f"the cell took {report.seconds or 0:.1f} s"
    if not requests.retries:
        unskippable = (": loopdoctor could not skip it in this client"
                       if requests.backoff_waited else "")
        return f"Each retry first waited out the SDK's backoff{unskippable} ({waited})."
    skipped = (f"{requests.retries} retries skipped {requests.backoff_skipped:.1f} s of the "
               "SDK's backoff, which calls like these wait out in production")
    if requests.backoff_waited:
        return f"{skipped}; a client it could not be skipped in waited ({waited})."
    return f"{skipped} ({waited})."


def _leak(report: CellReport, timeout: float) -> list[str]:
    leak = report.leak or LeakInfo()
    return [f"{leak.dead_loops_holding} closed loops still hold open clients after "
            f"gc: {leak.clients_open} of {leak.clients_created} clients open, "
            f"{leak.sockets_open} sockets to the endpoint.", FIX_LEAK]
