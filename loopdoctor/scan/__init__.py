"""``loopdoctor scan``: a static analyzer for cross-event-loop patterns.

Two phases: per-file facts (``facts.py``; parallel, cached by content hash), then a
project-wide join (``project.py``) that the rules (``rules/``) read.
"""

from loopdoctor.scan.engine import ScanOptions, ScanResult, analyze, scan

__all__ = ["ScanOptions", "ScanResult", "analyze", "scan"]
