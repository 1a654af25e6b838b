"""Where event loops start, and in what situation: what LD101-LD103 and LD501 share."""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from loopdoctor.scan.model import FileFacts, Function, LoopStart
from loopdoctor.scan.project import Project

THREAD = "thread"  # a loop started in a worker thread
BRIDGE = "bridge"  # ... by a function that first checked for a running loop (_run_async)
FRESH = "fresh"  # a sync function that makes a new loop on every call
NESTED = "nested"  # inside ``async def``: a loop is already running
MODULE = "module"  # module-level code (a script's ``__main__`` block)


@dataclass(frozen=True)
class LoopSite:
    start: LoopStart
    function: Function | None
    file: FileFacts
    kind: str


_SITES: WeakKeyDictionary[Project, list[LoopSite]] = WeakKeyDictionary()


def loop_sites(project: Project) -> list[LoopSite]:
    """Every loop start in the project, classified once and shared by the rules."""
    if project not in _SITES:
        _SITES[project] = [site for file in project.files
                           for site in _file_sites(project, file)]
    return _SITES[project]


def _file_sites(project: Project, file: FileFacts):
    for fn in file.functions:
        for start in fn.loop_starts:
            kind = _classify(project, start, fn)
            if kind is not None:
                yield LoopSite(start, fn, file, kind)
    for start in file.module_loop_starts:
        kind = _classify(project, start, None)
        if kind is not None:
            yield LoopSite(start, None, file, kind)


def _classify(project: Project, start: LoopStart, fn: Function | None) -> str | None:
    if start.in_thread:
        submitters = frozenset({fn.qualname if fn else ""})
    else:
        submitters = project.thread_run.get(fn.qualname) if fn else None
    if submitters is not None:
        if not start.fresh_loop:
            return None  # a borrowed loop in a thread: LD503's business
        bridge = any(_is_bridge(project.functions.get(s)) for s in submitters)
        return BRIDGE if bridge else THREAD
    if fn is None:
        return MODULE
    if fn.is_async:
        return NESTED
    return FRESH if start.fresh_loop else None


def _is_bridge(submitter) -> bool:
    """A sync function that first asks whether a loop is running (the _run_async shape)."""
    return submitter is not None and submitter[0].checks_running_loop \
        and not submitter[0].is_async


def api_label(start: LoopStart) -> str:
    return {"run_until_complete": "run_until_complete", "Runner.run": "Runner.run"}.get(
        start.api, "asyncio.run")
