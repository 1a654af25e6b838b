"""``loopdoctor scan``: a static analyzer for cross-event-loop patterns.

Two phases: per-file facts (``facts.py``; parallel, cached by content hash), then a
project-wide join (``project.py``) that the rules (``rules/``) read. ``session.py`` runs one
scan, and imports the analyzer only when the cache does not have the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from loopdoctor.scan.engine import analyze
    from loopdoctor.scan.session import ScanOptions, ScanResult, scan

__all__ = ["ScanOptions", "ScanResult", "analyze", "scan"]


def __getattr__(name: str) -> Any:
    if name in ("ScanOptions", "ScanResult", "scan"):
        from loopdoctor.scan import session

        return getattr(session, name)
    if name == "analyze":
        from loopdoctor.scan.engine import analyze

        return analyze
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
