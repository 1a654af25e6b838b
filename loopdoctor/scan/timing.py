"""Where a scan's time goes, written as JSON to the file ``LOOPDOCTOR_PROFILE`` names.

Off unless that variable is set; ``benchmarks/bench_scan.py --phases`` reads it."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

_TARGET = os.environ.get("LOOPDOCTOR_PROFILE")
_FIGURES: dict[str, float] = {}


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Add the wall time of the block to the phase's total."""
    if _TARGET is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        _FIGURES[name] = _FIGURES.get(name, 0.0) + time.perf_counter() - started


def count(name: str, amount: int) -> None:
    if _TARGET is not None:
        _FIGURES[name] = _FIGURES.get(name, 0) + amount


def write() -> None:
    if _TARGET is None:
        return
    figures = {"process": time.process_time(), **_FIGURES}
    try:
        with open(_TARGET, "w", encoding="utf-8") as handle:
            json.dump({k: round(v, 3) for k, v in figures.items()}, handle)
    except OSError:
        pass  # a profile that cannot be written costs nothing else
