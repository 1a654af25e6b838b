"""What a loop does to the object whose method it runs: ``asyncio.run(self.start())`` in a
sync method, or ``run_sync(self._dump())`` through a helper that starts the loop. Each call
of that code starts another loop over the same object, so the slots the methods it runs
touch (through ``self``, or an attribute of ``self`` that holds a project object) meet one
loop per call."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from loopdoctor.scan.loops import LoopSite
from loopdoctor.scan.model import CoroRef, Function
from loopdoctor.scan.project import Project

_MAX_PARAM_HOPS = 2  # callers followed back for a coroutine passed in as a parameter
_MAX_METHODS = 200  # methods walked from one loop start
_MAX_STEPS = 1  # attributes of ``self`` followed to the object they hold
_TOUCHED: WeakKeyDictionary[Project, dict[int, frozenset[str]]] = WeakKeyDictionary()


def own_slots_touched(project: Project, site: LoopSite) -> frozenset[str]:
    """The attributes (``pkg.C.attr``, as bound) that the methods a loop start runs on its
    own object read or write."""
    found = _TOUCHED.setdefault(project, {})
    key = id(site)  # the project keeps its loop sites for its whole life
    if key not in found:
        found[key] = _slots(project, _walk(project, _run_on_self(
            project, site.start.coro, site.function, 0)))
    return found[key]


def _run_on_self(project: Project, coro: CoroRef, fn: Function | None,
                 hops: int) -> dict[str, int]:
    """The methods a coroutine expression built in ``fn`` runs on ``fn``'s own object (or
    on what its attributes hold: the attributes crossed); a coroutine passed in as a
    parameter is looked up at the callers that pass it."""
    found: dict[str, int] = {}
    owner = _owner(project, fn) if fn is not None else None
    if owner is not None:
        for ref in sorted(coro.runs):
            resolved = project.resolve(ref)
            if resolved.startswith(f"{owner}.") \
                    and resolved.rpartition(".")[0] not in coro.fresh_classes:
                for callee, steps in _callees(project, owner, ref, 0):
                    found[callee] = min(steps, found.get(callee, steps))
    if hops < _MAX_PARAM_HOPS:
        for param in coro.params:
            for call, _ in project.callers.get(param.function, ()):
                caller = project.functions.get(call.site.scope) if call.site else None
                for arg in project.passed(call, param) if caller else ():
                    for callee, steps in _run_on_self(project, arg, caller[0], hops + 1).items():
                        found[callee] = min(steps, found.get(callee, steps))
    return found


def _walk(project: Project, start: dict[str, int]) -> set[str]:
    """The methods reached from ``start`` through calls on ``self`` and through functions
    nested in them, and on the object one attribute of ``self`` holds (one step: what that
    object holds in turn is another object's business); the fewest steps first."""
    walked: set[str] = set()
    by_steps: list[list[str]] = [[] for _ in range(_MAX_STEPS + 1)]
    for name, steps in sorted(start.items()):
        if steps <= _MAX_STEPS:
            by_steps[steps].append(name)
    for steps, pending in enumerate(by_steps):
        while pending and len(walked) < _MAX_METHODS:
            name = pending.pop()
            if name in walked or name not in project.functions:
                continue
            walked.add(name)
            fn = project.functions[name][0]
            owner = _owner(project, fn)
            for ref in sorted(fn.refs):
                if (owner is not None and project.resolve(ref).startswith(f"{owner}.")) \
                        or project.resolve(ref).startswith(f"{name}.<locals>."):
                    for callee, step in _callees(project, owner, ref, steps):
                        if step <= _MAX_STEPS:
                            by_steps[step].append(callee)
    return walked


def _callees(project: Project, owner: str | None, ref: str,
             steps: int) -> list[tuple[str, int]]:
    """The functions a ref on ``self`` runs, each with the attributes crossed to reach its
    object (``self.http.login``: one, unless ``http`` holds the same class)."""
    resolved = project.resolve(ref)
    attributes = resolved.count(".", len(f"{owner}.")) if owner else 0
    return [(callee, steps if _same_object(project, owner, callee)
             else steps + max(attributes, 1))
            for callee in sorted(project.denotes(ref, sources=False)[1])]


def _same_object(project: Project, owner: str | None, callee: str) -> bool:
    """Is ``callee`` a method of ``owner``'s own object (its class, a base or a subclass)?"""
    cls = _owner(project, project.functions[callee][0])
    return owner is None or cls is None or cls in project.mro(owner) \
        or owner in project.mro(cls)


def _slots(project: Project, methods: set[str]) -> frozenset[str]:
    found: set[str] = set()
    for name in methods:
        fn = project.functions[name][0]
        owner = _owner(project, fn)
        for ref in fn.refs:
            if owner is None or not project.resolve(ref).startswith(f"{owner}."):
                continue
            slot = next((m for prefix in project.prefixes(ref)
                         if (m := project.member(prefix, project.bindings)) is not None), None)
            if slot is not None:
                found.add(slot)
    return frozenset(found)


def _owner(project: Project, fn: Function) -> str | None:
    """The class whose instance ``self`` is in ``fn``, or in the method ``fn`` is nested in."""
    if fn.cls is not None:
        return fn.cls
    outer = fn.qualname.split(".<locals>.")[0]
    found = project.functions.get(outer) if outer != fn.qualname else None
    return found[0].cls if found is not None else None
