"""Where a scan's time goes, written as JSON to the file ``LOOPDOCTOR_PROFILE`` names.

Off unless that variable is set; ``benchmarks/bench_scan.py --phases`` reads it. Each phase
has its wall seconds (``NAME``) and its CPU seconds (``cpu NAME``: user + sys of this process
and of the worker processes it waited for within the phase), which a busy machine disturbs
less."""

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
    """Add the wall time and the CPU time of the block to the phase's totals."""
    if _TARGET is None:
        yield
        return
    started, cpu = time.perf_counter(), _cpu()
    try:
        yield
    finally:
        _FIGURES[name] = _FIGURES.get(name, 0.0) + time.perf_counter() - started
        _FIGURES[f"cpu {name}"] = _FIGURES.get(f"cpu {name}", 0.0) + _cpu() - cpu


def _cpu() -> float:
    """User + sys seconds of this process and of its children that have ended (of this
    process alone where there is no ``resource`` module: Windows)."""
    try:
        import resource  # only when profiling: not on Windows
    except ImportError:
        return time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def count(name: str, amount: int) -> None:
    if _TARGET is not None:
        _FIGURES[name] = _FIGURES.get(name, 0) + amount


def write() -> None:
    if _TARGET is None:
        return
    figures = {"process": time.process_time(), "cpu with workers": _cpu(), **_FIGURES}
    try:
        with open(_TARGET, "w", encoding="utf-8") as handle:
            json.dump({k: round(v, 3) for k, v in figures.items()}, handle)
    except OSError:
        pass  # a profile that cannot be written costs nothing else
