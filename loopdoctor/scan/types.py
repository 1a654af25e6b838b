"""Types across files: what a ``Value`` can be, and whether that is bound to an event loop.

A value's types come from where it is made (``AsyncOpenAI()``, a helper's return, a tuple
element at the call site), from annotations, and from how it is used (``await
x.chat.completions.create()``). A class is loop-bound when it is a known loop-bound type or
a subclass of one, and *holds* one when an attribute of its instances does. One summary per
value, computed once; cycles and depth are cut, so recursive code terminates.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.model import Op, Value, Values

if TYPE_CHECKING:
    from loopdoctor.scan.project import Project

_MAX_DEPTH = 24  # nested evaluations in progress
_MAX_TYPES = 12  # types kept per value
_MAX_CALLERS = 24  # call sites followed back for one parameter
_MAX_EVALUATIONS = 20_000  # beyond this, results cut by a cycle are kept as they are
_MAX_ROUNDS = 8  # of the project classes' fixpoint
_MAX_RETRIES = 8  # of one top-level evaluation, after working out what depth refused
_NONE = 1 << 30
_UNKNOWN = object()
_ASYNC_NAME = re.compile(kb.ASYNC_CLIENT_NAME)
_STDLIB = frozenset(sys.stdlib_module_names)
LOOP = "<event loop>"
TUPLE = "<tuple>"
USED = "<used as an async client>"
_GIVEN_LOOP = "made for the event loop a loop= argument gives it"
_T = TypeVar("_T")
_UNTYPED = ("typing.", "typing_extensions.", "t.", "object", "Any")  # says nothing of the type


class How(str, Enum):
    """How the analyzer knows a type. (``str``'s hash, in C, as ``Op``'s.)"""

    MADE = "created"
    ANNOTATED = "annotated"
    USED = "used as an async client"


class Typ(NamedTuple):
    """One type a value may have. (A named tuple, as ``Value``: hashed and compared in C.)"""

    name: str  # a qualified class (or factory) name, LOOP, TUPLE or USED
    path: str = ""
    line: int = 0
    how: How = How.MADE
    parts: tuple[frozenset[Typ], ...] = ()  # a tuple's elements
    detail: str = ""  # USED: the method


@dataclass(frozen=True)
class Bound:
    """Why a value is bound to an event loop, and where that comes from."""

    type: str  # the known loop-bound type ("openai.AsyncOpenAI"), or "an event loop"
    via: str = ""  # a project class that is (subclass) or holds (attribute) one
    holds: bool = False
    path: str = ""  # where the value is made, annotated or used
    line: int = 0
    how: How = How.MADE
    direct: bool = True  # no chain of holders: what the value is, or makes itself

    def describe(self) -> str:
        """```AsyncOpenAI```, or ```Service`` (which holds a loop-bound ``openai.AsyncOpenAI``)`."""
        if self.type == LOOP:
            return "event loop"
        if not self.via:
            return f"`{self.type.rsplit('.', 1)[-1]}`"
        relation = "which holds" if self.holds else "a subclass of"
        return f"`{self.via.rsplit('.', 1)[-1]}` ({relation} a loop-bound `{self.type}`)"

    @property
    def origin(self) -> str:
        """`` created at path:line`` and the like, or nothing."""
        return f" {self.how.value} at {self.path}:{self.line}" if self.path else ""


class Types:
    def __init__(self, project: Project):
        self.project = project
        self._memo: dict[tuple[Value, str], frozenset[Typ]] = {}
        self._classes: dict[str, ClassBound | None] = {}  # names outside the project
        self._table: dict[str, ClassBound] | None = None  # project classes, to a fixpoint
        self._active: dict[object, int] = {}  # evaluations in progress -> their depth
        self._cut = _NONE  # the shallowest in-progress evaluation a cycle was cut at
        self._budget = _MAX_EVALUATIONS
        self._too_deep = 0  # evaluations refused for depth
        self._cycles_cut = 0  # evaluations refused as cycles
        self._open = 0  # refusals for depth not worked out at the top (yet)
        self._refused: list[tuple] = []  # evaluations refused for depth, to work out at the top
        self._given_up: set[object] = set()  # on a cycle longer than the depth limit
        self._at_top: dict[object, object] = {}  # their complete answers
        self._short: dict[tuple[Value, str], frozenset[Typ]] = {}  # cut short, this question
        self._reads: set[str] | None = None  # table entries read while one class is worked out
        # Answers made only of complete evaluations (each value's is in the memo): names, and
        # what a function returns (by its ``returns`` tuple, kept alive here).
        self._named: dict[str, tuple[Typ, ...]] = {}
        self._returned: dict[tuple[int, str], tuple[Values, frozenset[Typ]]] = {}

    # -- values --------------------------------------------------------------------------

    def of(self, value: Value, path: str) -> frozenset[Typ]:
        key = (value, path)
        found = self._memo.get(key)
        if found is not None:
            return found
        found = self._short.get(key)
        if found is not None:  # cut short by the depth limit in this question: so is this
            self._open += 1
            return found
        return self._evaluate(key, lambda: frozenset(_first(self._of(value, path))),
                              self._memo, frozenset(), keep=value.op is Op.PARAM)

    def _evaluate(self, key, compute, memo: dict, empty, keep: bool = False):
        """Compute once. A cycle is cut (that path adds ``empty``), and what was computed
        while one of its own callers was cut off is not kept: it may be incomplete. (A
        parameter's values, which recursion feeds back into, are ``keep``: computed once.)

        Nesting is bounded: an evaluation refused for depth adds ``empty`` too, and nothing
        that asked it is kept. At the top, what was refused is worked out at the top first,
        then the question is asked again: the answer does not depend on what was asked
        before it."""
        if key in self._active:
            self._cut = min(self._cut, self._active[key])
            self._cycles_cut += 1
            return empty
        if len(self._active) > _MAX_DEPTH:
            known = self._at_top.get(key, _UNKNOWN)
            if known is not _UNKNOWN:
                return known
            self._too_deep += 1
            self._open += 1
            self._refused.append((key, compute, memo, keep))
            return empty
        if self._active:
            return self._once(key, compute, memo, keep)[0]
        return self._at_the_top(key, compute, memo, keep)

    def _once(self, key, compute, memo: dict, keep: bool) -> tuple[object, bool]:
        """One evaluation, and whether one under it was refused for depth."""
        depth, opened = len(self._active), self._open
        self._active[key] = depth
        outer, self._cut = self._cut, _NONE
        try:
            found = compute()
        finally:
            del self._active[key]
        cut = self._cut
        self._budget -= 1
        refused = self._open != opened
        if cut >= depth or keep or self._budget < 0:  # complete, or too costly to do again
            if not refused:
                memo[key] = found
            elif memo is self._memo:  # for the rest of this top-level question only
                self._short[key] = found
        self._cut = outer if cut >= depth else min(outer, cut)
        return found, refused

    def _at_the_top(self, key, compute, memo: dict, keep: bool) -> object:
        """A top-level evaluation. While one under it is refused for depth, each refused one
        is worked out at the top first (its complete answer kept), then this one is asked
        again: with a stack, not recursion, however long the chain. Left incomplete only by
        a cycle longer than the depth limit (or after ``_MAX_RETRIES``)."""
        opened = self._open
        if key in self._given_up:
            return self._once(key, compute, memo, keep)[0]
        root = _Top(key, compute, memo, keep)
        stack, on_stack = [root], {key}
        while stack:
            top = stack[-1]
            if top.waits and not any(k in self._at_top for k in top.waits):
                top.waits = ()  # nothing it waited for came out complete: as it is
            else:
                self._refused, self._short = [], {}
                top.found, top.refused = self._once(top.key, top.compute, top.memo, top.keep)
                top.tries += 1
                top.waits = () if not top.refused or top.tries >= _MAX_RETRIES else tuple(
                    {r[0]: r for r in self._refused if r[0] not in self._at_top
                     and r[0] not in on_stack and r[0] not in self._given_up}.values())
                if top.waits:
                    stack += [_Top(*r) for r in top.waits]
                    on_stack.update(r[0] for r in top.waits)
                    top.waits = tuple(r[0] for r in top.waits)
                    continue
            stack.pop()
            on_stack.discard(top.key)
            if top.refused:  # on a cycle longer than the depth limit: kept as it is
                self._given_up.add(top.key)
                top.memo[top.key] = top.found
            elif top is not root:
                self._at_top[top.key] = top.found
        self._refused, self._short = [], {}
        self._open = opened + root.refused
        return root.found

    def of_all(self, values: Values, path: str) -> frozenset[Typ]:
        if len(values) == 1:  # most are one value: its own set
            return self.of(values[0], path)
        return frozenset(t for v in values for t in self.of(v, path))

    def _of(self, value: Value, path: str):
        op = value.op
        if op is Op.CALL:
            yield from self._call(value, path)
        elif op is Op.NAME:
            yield from self.named(self.project.resolve(value.name))
        elif op is Op.ANNOTATED:
            yield Typ(self.project.resolve(value.name), path, value.line, How.ANNOTATED)
        elif op is Op.LOOP and value.name not in kb.NEW_EVENT_LOOP:
            yield Typ(LOOP, path, value.line)  # a loop captured from the thread, not a new one
        elif op is Op.PARAM:
            yield from self._param(value.name, value.index)
        elif op is Op.ATTR:
            for base in self.of(value.parts[0], path):
                if base.name in self.project.classes:
                    yield from self.named(f"{base.name}.{value.name}")
        elif op is Op.ITEM:
            yield from self._item(value.parts[0], path)
        elif op is Op.ELEM:
            for base in self.of(value.parts[0], path):
                if base.name == TUPLE and value.index < len(base.parts):
                    yield from base.parts[value.index]
        elif op is Op.TUPLE:
            yield Typ(TUPLE, path, value.line, parts=tuple(self.of(p, path) for p in value.parts))
        elif op is Op.ANY:
            yield from self.of_all(value.parts, path)
        elif op is Op.EXCEPT:
            excluded = self.project.resolve(value.name)
            yield from (t for t in self.of(value.parts[0], path)
                        if excluded not in self.project.mro(t.name))

    def _call(self, value: Value, path: str):
        project = self.project
        name = project.resolve(value.name)
        fn = project.function(name)
        if fn is not None:
            yield from self.returned(fn[0].returns, fn[1].path)
        elif name in project.classes or ("." in name and not project.is_internal(name)):
            given = bool(value.parts) and name not in project.classes \
                and not name.startswith("asyncio.")  # ``Connector(loop=loop)``; not a primitive
            yield Typ(name, path, value.line, detail=_GIVEN_LOOP if given else "")
        elif (known := project.known_suffix(name)) is not None:
            yield Typ(known, path, value.line)  # ``pkg._compat.httpx.AsyncClient``, unparsed
        else:  # ``self.http.make()``: a method of what the attribute holds
            owner, _, method = name.rpartition(".")
            for base in list(self.named(owner)) if owner else ():
                fn = project.function(f"{base.name}.{method}")
                if fn is not None:
                    yield from self.returned(fn[0].returns, fn[1].path)

    def returned(self, values: Values, path: str) -> frozenset[Typ]:
        """What a call returns, without what its own parameters are: which argument each call
        site passes is not known here, and all callers' arguments are not this call's."""
        kept = self._returned.get((id(values), path))
        if kept is not None and kept[0] is values:
            return kept[1]
        found, complete = self.completely(lambda: self.of_all(
            tuple(v for v in values if v.op is not Op.PARAM), path))
        if complete:
            self._returned[id(values), path] = (values, found)
        return found

    def named(self, name: str) -> tuple[Typ, ...]:
        """What a module global, class attribute or instance attribute may hold."""
        found = self._named.get(name)
        if found is None:
            found, complete = self.completely(lambda: tuple(self._named_types(name)))
            # Not through an attribute: that answer is not kept, it would be computed again.
            if complete and (name in self.project.classes or self.project.bindings_of(name)):
                self._named[name] = found
        return found

    def completely(self, compute: Callable[[], _T]) -> tuple[_T, bool]:
        """``compute()``, and whether computing it again would give the same and spend
        nothing: no cycle was cut at an evaluation outside it and none was refused for depth,
        so every value it asked is in the memo."""
        depth, opened = len(self._active), self._open
        outer, self._cut = self._cut, _NONE
        try:
            found = compute()
        finally:
            cut = self._cut
            self._cut = min(outer, cut)
        return found, cut >= depth and opened == self._open

    def _named_types(self, name: str):
        project = self.project
        if name in project.classes or (project.function(name) is not None
                                       and not project.kept_on_instance(name)):
            return  # the class or function object itself, not an instance
        found = []
        for binding, file in project.bindings_of(name):
            found += self.of_all(binding.values, file.path)
        if not project.bindings_of(name):
            found += self._through_attribute(name)
        yield from found
        use = project.async_uses.get(name)
        if use is not None and all(t.name.startswith(_UNTYPED) for t in found):
            yield Typ(USED, use[1], use[0].site.line, How.USED, detail=use[0].how)

    def _through_attribute(self, name: str):
        """``mod.C.http.client`` where ``mod.C.http`` holds a project class ``H``: ``H.client``."""
        owner, _, attr = name.rpartition(".")
        if not owner or owner in self.project.classes or owner == name:
            return
        found = self._evaluate(("attr", name), lambda: frozenset(
            typ for base in self.named(self.project.resolve(owner))
            if base.name in self.project.classes
            for typ in self.named(f"{base.name}.{attr}")), {}, frozenset())
        yield from found

    def _param(self, function: str, index: int):
        project = self.project
        fn = project.functions.get(function)
        if fn is None or index >= len(fn[0].params):
            return
        param = fn[0].params[index]
        for binding, file in project.bindings_of(f"{function}.{param}"):
            yield from self.of_all(binding.values, file.path)
        for values, path in list(project.argument_values(function, index))[:_MAX_CALLERS]:
            yield from self.of_all(values, path)

    def _item(self, base: Value, path: str):
        project = self.project
        if base.op is Op.NAME:  # a dict on an instance is one per object: no item flows out
            container = project.resolve(base.name)
            if project.member(container, project.instance_containers) is None:
                for write, file in project.item_writes(container):
                    yield from self.of_all(write.values, file.path)
        for typ in self.of(base, path):
            if typ.name == TUPLE:
                for part in typ.parts:
                    yield from part

    # -- loop-bound ----------------------------------------------------------------------

    def bound(self, values: Values, path: str) -> Bound | None:
        """The first reason, in a stable order, that one of the values is loop-bound."""
        found = [b for t in self.of_all(values, path) if (b := self.typ_bound(t)) is not None]
        return min(found, key=_order) if found else None

    def typ_bound(self, typ: Typ) -> Bound | None:
        if typ.name == LOOP:
            return Bound(LOOP, path=typ.path, line=typ.line, how=typ.how)
        if typ.name == TUPLE:  # (client, model): the tuple holds what its elements are
            found = [b for part in typ.parts for t in part
                     if (b := self.typ_bound(t)) and b.type != LOOP]  # (client, model, loop)
            return min(found, key=_order) if found else None
        if typ.name == USED:
            return Bound(f"object used as an async client (`{typ.detail}`)", path=typ.path,
                         line=typ.line, how=How.USED)
        found = self.class_bound(typ.name)
        if found is None and typ.detail == _GIVEN_LOOP:  # made for the loop it was given
            return Bound(typ.name, path=typ.path, line=typ.line, how=typ.how)
        if found is None:
            return None
        return Bound(found.type, found.via, found.holds, typ.path, typ.line, typ.how,
                     found.direct)

    def typ_bound_name(self, name: str) -> Bound | None:
        return self.typ_bound(Typ(name))

    def class_bound(self, name: str) -> ClassBound | None:
        """Why a class (or factory) name is loop-bound, or None."""
        project = self.project
        if name in project.loop_bound_types or name in kb.CLIENT_HOLDERS:
            return ClassBound(name)
        if name in project.classes:
            if self._table is None:
                self._table = {}
                self._fill_table()
            if self._reads is not None:
                self._reads.add(name)
            return self._table.get(name)
        found = self._classes.get(name, _UNKNOWN)
        if found is _UNKNOWN:
            found, complete = self.completely(lambda: self._evaluate(
                ("named", name), lambda: self._named_bound(name), {}, None))
            if complete:  # a cycle cut outside it, or a refusal, would decide it otherwise
                self._classes[name] = found
        return found

    def _fill_table(self) -> None:
        """Project classes, to a fixpoint: a class is loop-bound through its bases and what
        its attributes hold, which may be other project classes, in any order and in cycles.
        A reason only ever improves (none, then held through others, then made directly).

        A pass asks again only the classes whose answer could differ from their last one: a
        class is *settled* when its last answer evaluated nothing and met no cut or depth
        limit (asked again, it would read the same memo and spend nothing), until a table
        entry that answer read changes. Skipping a settled class is asking it again."""
        settled: set[str] = set()
        readers: dict[str, list[str]] = defaultdict(list)  # entry -> settled classes that read it
        for _ in range(_MAX_ROUNDS):
            changed = False
            for name in self.project.classes:
                if name in settled:
                    continue
                new, read = self._class_answer(name)
                if read is not None:
                    settled.add(name)
                    for entry in read:
                        readers[entry].append(name)
                old = self._table.get(name)
                if new is not None and (old is None or (new.direct and not old.direct)):
                    self._table[name] = new
                    changed = True
                    settled.difference_update(readers.pop(name, ()))
            if not changed:
                return

    def _class_answer(self, name: str) -> tuple[ClassBound | None, set[str] | None]:
        """A project class's reason now, and the table entries it read if it is settled."""
        spent = (self._budget, self._cycles_cut, self._open)
        outer, self._reads = self._reads, set()
        try:
            found = self._project_class_bound(name)
            read = self._reads
        finally:
            self._reads = outer
        return found, read if spent == (self._budget, self._cycles_cut, self._open) else None

    def _named_bound(self, name: str) -> ClassBound | None:
        """A factory function's result, or an outside class named like an async client."""
        project = self.project
        fn = project.function(name)
        if fn is not None:
            found = self.bound(fn[0].returns, fn[1].path)
            return ClassBound(found.type, found.via, found.holds, found.direct) \
                if found is not None else None
        root = name.split(".", 1)[0]
        if root not in _STDLIB and "." in name and _ASYNC_NAME.search(name.rsplit(".")[-1]):
            return ClassBound(name)
        owner, _, method = name.rpartition(".")
        if method.startswith("from_") and owner:  # ``Redis.from_url()``: an instance of Redis
            return self.class_bound(owner)
        return None

    def _project_class_bound(self, name: str) -> ClassBound | None:
        project = self.project
        info = project.classes[name]
        for base in info.bases:
            reason = self.class_bound(project.resolve(base))
            if reason is not None:
                return ClassBound(reason.type, name, reason.holds and bool(reason.via),
                                  reason.direct)
        return self._held(name)

    def _held(self, cls: str) -> ClassBound | None:
        """A class holds a loop-bound object when an attribute does; *directly* when its own
        code makes one of a known loop-bound type (``self.client = AsyncOpenAI()``)."""
        found = None
        for binding, file in self.project.attributes_of(cls):
            if self.project.made_per_run(binding.target) \
                    or self.project.made_again_per_loop(binding.target):
                continue  # each run (or loop) makes its own: the class keeps none across loops
            held = self.bound(binding.values, file.path)
            if held is None or held.type == LOOP:  # an object may keep the loop it runs on
                continue
            made = self.bound(tuple(v for v in binding.values if v.op is Op.CALL), file.path)
            if made is not None and not made.via:
                return ClassBound(made.type, cls, True, True)
            found = found or ClassBound(held.type, cls, True, False)
        return found


@dataclass(eq=False)
class _Top:
    """One evaluation worked out at the top, and the refused ones it waits for."""

    key: object
    compute: Callable[[], object]
    memo: dict
    keep: bool
    found: object = None
    refused: bool = False
    tries: int = 0
    waits: tuple = ()


@dataclass(frozen=True)
class ClassBound:
    type: str  # the known loop-bound type
    via: str = ""  # the project class that is a subclass of it or holds it
    holds: bool = False
    direct: bool = True  # the type itself, a subclass, or made by the class's own code


def _order(bound: Bound) -> tuple:
    """Made before annotated or used, then by place; every field, so that two reasons at
    one place (``A() if x else B()``, both holding one type) are not picked by set order."""
    return (bound.how != How.MADE, bound.holds, bound.path, bound.line, bound.type,
            bound.via, not bound.direct, bound.how.value)


def _first(types: Iterable[Typ]) -> set[Typ] | list[Typ]:
    """At most ``_MAX_TYPES`` of them, the same ones whatever order they came in."""
    found = set(types)
    return sorted(found, key=_typ_order)[:_MAX_TYPES] if len(found) > _MAX_TYPES else found


def _typ_order(typ: Typ) -> tuple:
    """Every field (a tuple's parts too): types that tie on a prefix are not cut by set order."""
    return (typ.name, typ.path, typ.line, typ.detail, typ.how.value,
            tuple(sorted(map(_typ_order, part)) for part in typ.parts))
