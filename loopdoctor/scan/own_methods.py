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
                 hops: int) -> set[str]:
    """The methods a coroutine expression built in ``fn`` runs on ``fn``'s own object; a
    coroutine passed in as a parameter is looked up at the callers that pass it."""
    found: set[str] = set()
    owner = _owner(project, fn) if fn is not None else None
    if owner is not None:
        for ref in coro.runs:
            resolved = project.resolve(ref)
            if resolved.startswith(f"{owner}.") \
                    and resolved.rpartition(".")[0] not in coro.fresh_classes:
                found |= project.denotes(ref, sources=False)[1]
    if hops < _MAX_PARAM_HOPS:
        for param in coro.params:
            for call, _ in project.callers.get(param.function, ()):
                caller = project.functions.get(call.site.scope) if call.site else None
                for arg in project.passed(call, param) if caller else ():
                    found |= _run_on_self(project, arg, caller[0], hops + 1)
    return found


def _walk(project: Project, start: set[str]) -> set[str]:
    """The methods reached from ``start`` through calls on ``self`` and through functions
    nested in them, and on the object one attribute of ``self`` holds (one step: what that
    object holds in turn is another object's business)."""
    walked: set[str] = set()
    pending = [(name, 0) for name in start]
    while pending and len(walked) < _MAX_METHODS:
        name, steps = pending.pop()
        if name in walked or name not in project.functions:
            continue
        walked.add(name)
        fn = project.functions[name][0]
        owner = _owner(project, fn)
        for ref in fn.refs:
            resolved = project.resolve(ref)
            if (owner is not None and resolved.startswith(f"{owner}.")) \
                    or resolved.startswith(f"{name}.<locals>."):
                attributes = resolved.count(".", len(f"{owner}.")) if owner else 0
                for callee in project.denotes(ref, sources=False)[1]:
                    step = steps if _same_object(project, owner, callee) \
                        else steps + max(attributes, 1)
                    if step <= _MAX_STEPS:
                        pending.append((callee, step))
    return walked


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
