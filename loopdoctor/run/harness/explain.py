"""One short paragraph per failed cell: what happened, to which client, and what to change."""

from __future__ import annotations

from typing import Any

from loopdoctor.run.harness.introspect import HANG_FLAVOURS, stuck_frame
from loopdoctor.run.verdict import Outcome, first_line

FIX_SHARED = ("Fix: give each loop its own client and close it before the loop closes "
              "(strategy loop-scoped), or send every call to one long-lived loop (portal).")
FIX_LEAK = ("Fix: close each loop's client before that loop closes (loop-scoped) instead of "
            "caching one per loop.")


def explain(outcome: Outcome, raw: dict[str, Any], timeout: float) -> str:
    if outcome is Outcome.PASS:
        return ""
    parts = {
        Outcome.HANG: _hang,
        Outcome.ERROR: _error,
        Outcome.MASKED: _masked,
        Outcome.LEAK: _leak,
    }[outcome](raw, timeout)
    return " ".join(p for p in parts if p)


def _client_story(raw: dict[str, Any]) -> str:
    uses = raw.get("foreign_uses") or []
    if not uses:
        return ""
    use = uses[0]
    owner = use["owner"] + (", now closed" if use["owner_closed"] else "")
    return (f"The {use['kind']} created at {use['created_at']} belongs to {owner}; "
            f"{use['used_from']} used it.")


def _hang(raw: dict[str, Any], timeout: float) -> list[str]:
    diagnostics = raw.get("diagnostics") or {}
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
    parts.append(_client_story(raw))
    server = raw.get("server") or {}
    if "in_flight" in server:
        parts.append(f"The server had {server['in_flight']} request(s) in flight"
                     + (": the client side is stuck, not the server." if not server["in_flight"]
                        else "."))
    parts.append(FIX_SHARED)
    return parts


def _error(raw: dict[str, Any], timeout: float) -> list[str]:
    error = raw.get("error") or {}
    parts = [first_line(error.get("chain") or error.get("message", ""))[:300] + "."]
    if error.get("cross_loop"):
        parts.append(f"Cross-loop: {error['cross_loop']}.")
        parts += [_client_story(raw), FIX_SHARED]
    elif raw.get("setup_failed"):
        parts.append("The cell could not start the scenario.")
    return parts


def _masked(raw: dict[str, Any], timeout: float) -> list[str]:
    requests = raw.get("requests") or {}
    return [f"Passed only because the SDK retried: the server saw {requests.get('server_saw')} "
            f"requests for {requests.get('made')} made, and each retry first waited out a "
            f"backoff (the cell took {raw.get('seconds', 0):.1f} s).", _client_story(raw),
            FIX_SHARED]


def _leak(raw: dict[str, Any], timeout: float) -> list[str]:
    leak = raw.get("leak") or {}
    return [f"{leak.get('dead_loops_holding')} closed loops still hold open clients after "
            f"gc: {leak.get('clients_open')} of {leak.get('clients_created')} clients open, "
            f"{leak.get('sockets_open')} sockets to the endpoint.", FIX_LEAK]
