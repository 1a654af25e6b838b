"""Where event loops start, and in what situation: what LD101-LD103 and LD501 share."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from weakref import WeakKeyDictionary

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.model import FileFacts, Function, LoopStart
from loopdoctor.scan.project import Project


class LoopKind(Enum):
    """The situation a loop starts in."""

    THREAD = "worker thread"  # a loop started in a worker thread
    BRIDGE = "bridge thread"  # ... by a function that first checked for a running loop
    FRESH = "new loop per call"  # a sync function that makes a new loop on every call
    NESTED = "inside async def"  # a loop is already running
    MODULE = "module level"  # a script's ``__main__`` block
    PER_THREAD = "the calling thread's loop"  # a sync function that runs on each thread's own loop


@dataclass(frozen=True)
class LoopSite:
    start: LoopStart
    function: Function | None
    file: FileFacts
    kind: LoopKind
    maker: str = ""  # NESTED in __init__: the coroutine that makes the object

    @property
    def wrapper(self) -> str:
        """The name of the function each call of which runs the loop (a lambda's: the
        function it is written in)."""
        qualname = self.function.qualname if self.function else ""
        named = [part for part in qualname.split(".")
                 if part != "<locals>" and not part.startswith("<lambda")]
        return named[-1] if named else qualname


_SITES: WeakKeyDictionary[Project, list[LoopSite]] = WeakKeyDictionary()


def loop_sites(project: Project) -> list[LoopSite]:
    """Every loop start in the project, classified once and shared by the rules."""
    if project not in _SITES:
        _SITES[project] = [site for file in project.files
                           for site in _file_sites(project, file)]
    return _SITES[project]


def second_loop(project: Project, site: LoopSite) -> bool:
    """Does this loop start give the process a loop besides the one that serves it? A
    program's own entry (``asyncio.run(main())`` in ``main``, a CLI command, a script's
    ``__main__`` block) and the calling thread's own loop do not, unless the entry starts
    its loop in a ``for``/``while`` body: each pass is another loop of the same process."""
    if site.kind is LoopKind.PER_THREAD:
        return False
    if site.start.fresh_loop and site.start.repeated:
        return True
    if site.kind is LoopKind.MODULE:
        return False
    return site.kind is not LoopKind.FRESH or not project.program_code(site.function, site.file)


def _file_sites(project: Project, file: FileFacts):
    for fn in file.functions:
        for start in fn.loop_starts:
            kind = _classify(project, start, fn)
            if kind is not None:
                yield LoopSite(start, fn, file, kind)
            elif maker := _made_in_coroutine(project, start, fn):
                yield LoopSite(start, fn, file, LoopKind.NESTED, maker)
    for start in file.module_loop_starts:
        kind = _classify(project, start, None)
        if kind is not None:
            yield LoopSite(start, None, file, kind)


def _classify(project: Project, start: LoopStart, fn: Function | None) -> LoopKind | None:
    if start.in_thread:
        submitters = frozenset({fn.qualname if fn else ""})
    else:
        submitters = project.thread_run.get(fn.qualname) if fn else None
    if submitters is not None:
        if not start.fresh_loop and not start.per_thread:
            return None  # a borrowed loop in a thread: LD503's business
        bridge = any(_is_bridge(project.functions.get(s)) for s in submitters)
        return LoopKind.BRIDGE if bridge else LoopKind.THREAD
    if fn is None:
        return LoopKind.MODULE
    if fn.is_async:
        return None if _run_by_no_loop(project, fn) else LoopKind.NESTED
    if start.fresh_loop:
        return LoopKind.FRESH
    return LoopKind.PER_THREAD if start.per_thread else None


def _run_by_no_loop(project: Project, fn: Function) -> bool:
    """An ``async def test*`` method of a sync ``TestCase``: its runner calls it and drops
    the coroutine."""
    if fn.cls is None or not fn.qualname.rsplit(".", 1)[-1].startswith("test"):
        return False
    classes = list(project.mro(fn.cls))
    return any(name.endswith("TestCase") for name in classes) \
        and not any(_runs_coroutines(name) for name in classes)


def _runs_coroutines(test_case: str) -> bool:
    short = test_case.rsplit(".", 1)[-1]
    return test_case in kb.ASYNC_TEST_CASES or any(w in short for w in kb.ASYNC_TEST_CASE_WORDS)


def _made_in_coroutine(project: Project, start: LoopStart, fn: Function) -> str:
    """``get_event_loop().run_until_complete(...)`` in ``__init__`` of a class that a
    coroutine makes: the loop it borrows is the running one."""
    if start.fresh_loop or start.api != "run_until_complete" or not fn.setup or not fn.cls:
        return ""
    return project.made_in_coroutine(fn.cls)


def _is_bridge(submitter) -> bool:
    """A sync function that first asks whether a loop is running (the _run_async shape)."""
    return submitter is not None and submitter[0].checks_running_loop \
        and not submitter[0].is_async


def exported_names(project: Project) -> set[str]:
    """What other files may use to reach a loop start's finding: functions that reach
    sources or start a fresh loop over one, the callers that forward their own parameter
    into those (a ``run_sync(coro)`` over a bridge), the sources, and loop-bound classes."""
    interesting = {name for name, (fn, _) in project.functions.items()
                   if _reaches_shared_state(project, fn)}
    pending = list(interesting)
    while pending:
        for call, _ in project.callers.get(pending.pop(), ()):
            for arg in [*call.args, *(ref for _, ref in call.kwargs)]:
                for param in arg.params:
                    if param.function not in interesting:
                        interesting.add(param.function)
                        pending.append(param.function)
    decorators = {name.split(".<locals>.")[0] for name in interesting if ".<locals>." in name}
    return {*interesting, *decorators, *_inherited(project, interesting), *project.sources,
            *project.loop_bound_classes()}


def _inherited(project: Project, functions: set[str]) -> set[str]:
    """``Base.m`` for a method ``Sub.m`` that matters: code elsewhere calls it through the
    base class, which may be defined in a file nobody parsed yet."""
    found = set()
    for name in functions:
        fn = project.functions.get(name)
        if fn is not None and fn[0].cls is not None:
            method = name.rsplit(".", 1)[-1]
            info = project.classes.get(fn[0].cls)
            bases = info.bases if info else ()
            found.update(f"{project.resolve(base)}.{method}" for base in bases)
    return found


def _reaches_shared_state(project: Project, fn: Function) -> bool:
    if project.reach.get(fn.qualname):
        return True  # a bridge elsewhere may run it
    return any((start.fresh_loop or start.per_thread)
               and (start.coro.params or project.evaluate(start.coro))
               for start in fn.loop_starts)


def api_label(start: LoopStart) -> str:
    return {"run_until_complete": "run_until_complete", "Runner.run": "Runner.run"}.get(
        start.api, "asyncio.run")
