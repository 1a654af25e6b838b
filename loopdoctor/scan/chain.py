"""The chain a finding names, so that a reader can check it in a minute: where the loop-bound
object is made, the holder that keeps it, the call site a coroutine comes from, and the
event loops that reach the holder (``path:line`` each)."""

from __future__ import annotations

from collections import defaultdict
from weakref import WeakKeyDictionary

from loopdoctor.scan.loops import LoopKind, LoopSite, loop_sites
from loopdoctor.scan.project import Project, Source, short_name, witness
from loopdoctor.scan.types import LOOP, Bound, How

_MAX_LOOPS = 3
_REACHED: WeakKeyDictionary[Project, dict[str, list[LoopSite]]] = WeakKeyDictionary()


def loops_reaching(project: Project, holder: str) -> list[LoopSite]:
    """Loop starts whose coroutine reaches a holder, in file order."""
    return _reached(project).get(holder, [])


def loops_reaching_object(project: Project, owner: str) -> list[LoopSite]:
    """Loop starts whose coroutine reaches any holder on ``owner`` (``Api.client``,
    ``Api._lock``: the instances of ``Api``)."""
    prefix = f"{owner}."
    return [site for holder, sites in _reached(project).items() if holder.startswith(prefix)
            for site in sites]


def _reached(project: Project) -> dict[str, list[LoopSite]]:
    if project not in _REACHED:
        found: dict[str, list[LoopSite]] = defaultdict(list)
        for site in loop_sites(project):
            if site.kind is LoopKind.PER_THREAD:
                continue  # one loop per thread: another loop only when threads call it (LD104)
            for source in project.evaluate(site.start.coro):
                found[source.name].append(site)
        _REACHED[project] = found
    return _REACHED[project]


def loop_chain(project: Project, site: LoopSite,
               traced: dict[Source, str]) -> tuple[Source, str]:
    """The source a loop start's message names, and the chain that follows it."""
    source = witness(frozenset(traced))
    here = (site.file.path, site.start.site.line)
    return source, chain(project, source, here, via=traced[source], named=True)


def chain(project: Project, source: Source | None, here: tuple[str, int],
          bound: Bound | None = None, via: str = "", named: bool = False) -> str:
    """`` [`AsyncOpenAI` created at line 12; held by `_cache` (line 5); loops that reach it:
    b.py:10 (in a worker thread)]``: each link once, and none that is the finding itself.
    ``named``: the message already names the holder and where it is."""
    bound = bound or (source.bound if source is not None else None)
    parts = []
    if bound is not None and bound.path and (bound.path, bound.line) != here:
        at = _at(bound.path, bound.line, here)
        if bound.type == LOOP:
            parts.append(f"the loop is captured at {at}")
        elif bound.how is How.USED:
            parts.append(f"it is {bound.type.removeprefix('object ')} at {at}")
        else:
            parts.append(f"`{(bound.via or bound.type).rsplit('.', 1)[-1]}` {bound.how.value} "
                         f"at {at}")
    if source is not None and source.path and not named and (source.path, source.line) != here:
        defined = _at(source.path, source.line, here)
        parts.append(f"`{short_name(source.name)}` defined at {defined}")
    if via and project.decoration(via) is None:  # a decorated function is named already
        parts.append(f"the coroutine comes from the call at {_at(*_split(via), here)}")
    if source is not None:
        parts.append(_loops(project, source, here))
    parts = [p for p in parts if p]
    return f" [{'; '.join(parts)}]" if parts else ""


def _loops(project: Project, source: Source, here: tuple[str, int]) -> str:
    others = sorted((s for s in loops_reaching(project, source.name)
                     if (s.file.path, s.start.site.line) != here), key=_not_repeated)
    if others:
        listed = ", ".join(f"{_at(s.file.path, s.start.site.line, here)} ({_situation(s)})"
                           for s in others[:_MAX_LOOPS])
        more = f" and {len(others) - _MAX_LOOPS} more" if len(others) > _MAX_LOOPS else ""
        return f"loops that reach it: {listed}{more}"
    users = project.async_users(source.name)
    if users:
        user = users[0]
        path = project.functions[user.qualname][1].path
        return (f"every loop that runs `{user.qualname.rsplit('.', 1)[-1]}` "
                f"({_at(path, user.site.line, here)}) uses it")
    return ""


def _not_repeated(site: LoopSite) -> bool:
    return not (site.start.fresh_loop and site.start.repeated)


def _situation(site: LoopSite) -> str:
    return "a new loop per pass of a for/while" if not _not_repeated(site) else site.kind.value


def _at(path: str, line: int, here: tuple[str, int]) -> str:
    return f"line {line}" if path == here[0] else f"{path}:{line}"


def _split(site: str) -> tuple[str, int]:
    path, _, line = site.rpartition(":")
    return path, int(line)
