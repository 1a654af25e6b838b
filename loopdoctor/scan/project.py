"""The project-wide join: per-file facts connected into one picture.

It answers the questions several rules share: is this constructor loop-bound, which
long-lived loop-bound objects exist (the *sources*), what does a function or a coroutine
expression reach, which functions run in worker threads, and who calls whom with what.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from functools import cached_property

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.model import (
    CachedFactory,
    CacheWrite,
    ClassInfo,
    Construct,
    CoroRef,
    FileFacts,
    Function,
    KeyKind,
    Param,
    ThreadSubmit,
)

_MAX_ALIAS_HOPS = 8
_MAX_PARAM_DEPTH = 6


class HolderKind(Enum):
    """What holds a long-lived loop-bound object. The order ranks which one a message names."""

    CACHE = "client cache"
    SINGLETON_PROVIDER = "singleton provider"
    CACHED_FACTORY = "lru_cache factory"
    MODULE_CLIENT = "module-level client"
    CLASS_CLIENT = "class-level client"
    INSTANCE_CLIENT = "client stored on the instance"
    INSTANCE_CACHE = "client cache on the instance"
    PRIMITIVE = "module-level {type}"
    SHARED = "client shared across loops:"
    PASSED_IN = "client passed in:"

    @property
    def rank(self) -> int:
        return list(HolderKind).index(self)


_PER_INSTANCE = frozenset({HolderKind.INSTANCE_CLIENT, HolderKind.INSTANCE_CACHE})


@dataclass(frozen=True)
class Source:
    """A long-lived loop-bound object a coroutine can reach."""

    kind: HolderKind
    name: str
    path: str
    line: int
    type: str = ""  # the asyncio primitive's type, for HolderKind.PRIMITIVE

    @property
    def per_instance(self) -> bool:
        return self.kind in _PER_INSTANCE

    def describe(self) -> str:
        short = ".".join(self.name.split(".")[-2:]) if self.per_instance \
            else self.name.rsplit(".", 1)[-1]
        where = f" ({self.path}:{self.line})" if self.path else ""
        return f"{self.kind.value.format(type=self.type)} `{short}`{where}"


def witness(sources: frozenset[Source]) -> Source:
    """The one source a message names: the most telling kind, then the first by name."""
    return min(sources, key=lambda s: (s.kind.rank, s.path, s.name))


class Project:
    def __init__(self, files: list[FileFacts], extra_loop_bound: frozenset[str] = frozenset()):
        self.files = files
        self.loop_bound_types = kb.LOOP_BOUND_TYPES | extra_loop_bound
        self.functions: dict[str, tuple[Function, FileFacts]] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.aliases: dict[str, str] = {}
        self.containers: set[str] = set()
        self.closed_slots: set[str] = set()
        self.instance_containers: set[str] = set()
        self._resolved: dict[str, str] = {}
        self._prefixes: dict[str, tuple[str, ...]] = {}
        self._members: dict[tuple[str, int], str | None] = {}
        for file in files:
            self.aliases.update(file.aliases)
            self.containers |= file.containers | file.weak_containers
            self.closed_slots |= file.closed_slots
            self.instance_containers |= file.instance_containers
            for fn in file.functions:
                self.functions[fn.qualname] = (fn, file)
            for cls in file.classes:
                self.classes[cls.qualname] = cls
        self._alias_module_instances()

    def _alias_module_instances(self) -> None:
        """``pool = ClientPool()`` at module level: ``pool.get`` is ``ClientPool.get``.
        (Loop-bound instances stay sources in their own right: LD301.)"""
        for file in self.files:
            for construct in file.constructs:
                cls = self.resolve(construct.ctor)
                if cls in self.classes and not self.is_loop_bound(cls):
                    self.aliases.setdefault(construct.target, cls)
        self._resolved.clear()
        self._prefixes.clear()
        self._members.clear()

    # -- names ---------------------------------------------------------------------------

    def resolve(self, name: str) -> str:
        """Follow re-exports: ``pkg.get_client`` -> ``pkg.clients.get_client``."""
        found = self._resolved.get(name)
        if found is None:
            found = self._resolved[name] = self._resolve(name)
        return found

    def _resolve(self, name: str) -> str:
        for _ in range(_MAX_ALIAS_HOPS):
            parts = name.split(".")
            for cut in range(len(parts), 0, -1):
                head = ".".join(parts[:cut])
                target = self.aliases.get(head)
                if target is not None and target != head:
                    name = ".".join([target, *parts[cut:]])
                    break
            else:
                return name
        return name

    def prefixes(self, name: str) -> tuple[str, ...]:
        found = self._prefixes.get(name)
        if found is None:
            parts = self.resolve(name).split(".")
            found = self._prefixes[name] = tuple(
                ".".join(parts[:cut]) for cut in range(len(parts), 1, -1))
        return found

    def mro(self, cls: str) -> Iterator[str]:
        seen: set[str] = set()
        pending = [self.resolve(cls)]
        while pending:
            current = pending.pop(0)
            if current in seen:
                continue
            seen.add(current)
            yield current
            info = self.classes.get(current)
            if info is not None:
                pending.extend(self.resolve(b) for b in info.bases)

    def member(self, name: str, table: dict[str, object] | set[str]) -> str | None:
        """``pkg.C.m`` found in ``table`` directly or on a base class of ``C``."""
        key = (name, id(table))
        if key not in self._members:
            self._members[key] = self._member(name, table)
        return self._members[key]

    def _member(self, name: str, table: dict[str, object] | set[str]) -> str | None:
        name = self.resolve(name)
        if name in table:
            return name
        owner, _, attr = name.rpartition(".")
        if owner in self.classes:
            for cls in self.mro(owner):
                if f"{cls}.{attr}" in table:
                    return f"{cls}.{attr}"
        return None

    def function(self, name: str) -> tuple[Function, FileFacts] | None:
        found = self.member(name, self.functions)
        return self.functions[found] if found else None

    # -- loop-bound types ----------------------------------------------------------------

    def is_script(self, file: FileFacts) -> bool:
        """A program's entry module: run as ``__main__``, imported by no other scanned file,
        starting at most one loop. Its module-level objects meet one loop only."""
        return file.script and len(file.module_loop_starts) <= 1 \
            and file.module not in self._imported_modules

    @cached_property
    def _imported_modules(self) -> set[str]:
        imported = set()
        for target in (t for file in self.files for _, t in file.aliases):
            parts = target.split(".")
            imported.update(".".join(parts[:cut]) for cut in range(1, len(parts) + 1))
        return imported

    def describe_loop_bound(self, ctor: str) -> str:
        """``AsyncOpenAI``, or ``Service`` (which holds an ``openai.AsyncOpenAI``)."""
        reason = self.loop_bound_reason(ctor) or ctor
        short = ctor.rsplit(".", 1)[-1]
        if self.resolve(ctor) in self.loop_bound_types:
            return f"`{short}`"
        return f"`{short}` (which holds a loop-bound `{reason}`)"

    def is_loop_bound(self, name: str) -> bool:
        return self.loop_bound_reason(name) is not None

    def loop_bound_reason(self, name: str) -> str | None:
        """The known loop-bound type behind a constructor or factory name, or None."""
        return self._loop_bound.get(self.resolve(name)) or (
            name if self.resolve(name) in self.loop_bound_types else None)

    @cached_property
    def _loop_bound(self) -> dict[str, str]:
        """Project classes and factories that hold or return a known loop-bound object."""
        found: dict[str, str] = {t: t for t in self.loop_bound_types}
        changed = True
        while changed:
            changed = False
            for cls in self.classes.values():
                if cls.qualname in found:
                    continue
                reasons = [found.get(self.resolve(b)) for b in cls.bases] + [
                    found.get(self.resolve(c)) for _, c, _ in cls.attr_ctors]
                if reason := next((r for r in reasons if r), None):
                    found[cls.qualname] = reason
                    changed = True
            for fn, _ in self.functions.values():
                if fn.qualname in found:
                    continue
                if reason := next((found[r] for r in map(self.resolve, fn.returns)
                                   if r in found), None):
                    found[fn.qualname] = reason
                    changed = True
        return found

    def loop_bound_classes(self) -> set[str]:
        """Project classes that are or hold a loop-bound object: other files construct them."""
        return {c for c in self.classes if self.is_loop_bound(c)}

    # -- long-lived loop-bound objects ---------------------------------------------------

    def constructs(self) -> Iterator[tuple[Construct, FileFacts]]:
        """Module/class-level constructions of loop-bound objects."""
        for file in self.files:
            for construct in file.constructs:
                if self.is_loop_bound(construct.ctor):
                    yield construct, file

    def primitives(self) -> Iterator[tuple[Construct, FileFacts]]:
        for file in self.files:
            for construct in file.constructs:
                if self.resolve(construct.ctor) in kb.ASYNCIO_PRIMITIVES:
                    yield construct, file

    def cache_writes(self, per_object: bool = False
                     ) -> Iterator[tuple[CacheWrite, FileFacts, str]]:
        """Loop-bound values stored in a module- or class-level slot or container, any key
        (``per_object``: in a dict on an instance instead, ``self._cache[key] = client``)."""
        containers = self.instance_containers if per_object else self.containers
        for file in self.files:
            for write in file.cache_writes:
                if per_object and write.slot:
                    continue
                if not write.slot and self.member(write.container, containers) is None:
                    continue
                if write.slot and self.member(write.container, self.closed_slots) is not None:
                    continue
                ctor = next(filter(self.is_loop_bound, sorted(write.value_ctors)), None)
                if ctor:
                    yield write, file, ctor

    def cached_factories(self) -> Iterator[tuple[CachedFactory, FileFacts, str]]:
        for file in self.files:
            for factory in file.cached_factories:
                reason = next(filter(None, map(self.loop_bound_reason, factory.returns)), None)
                if reason and not factory.loop_param:
                    yield factory, file, reason

    @cached_property
    def sources(self) -> dict[str, Source]:
        found: dict[str, Source] = {}
        for c, file in self.constructs():
            kind = HolderKind.SINGLETON_PROVIDER if c.singleton_provider else (
                HolderKind.CLASS_CLIENT if _is_class_attr(c.target, self.classes)
                else HolderKind.MODULE_CLIENT)
            found[c.target] = Source(kind, c.target, file.path, c.site.line)
        for c, file in self.primitives():
            found[c.target] = Source(HolderKind.PRIMITIVE, c.target, file.path, c.site.line,
                                     self.resolve(c.ctor))
        for w, file, _ in self.cache_writes():
            if w.key is KeyKind.OTHER:
                found.setdefault(w.container, Source(HolderKind.CACHE, w.container, file.path,
                                                     w.site.line))
        for w, file, _ in self.cache_writes(per_object=True):
            if w.key is KeyKind.OTHER:
                found.setdefault(w.container, Source(HolderKind.INSTANCE_CACHE,
                                                     w.container, file.path, w.site.line))
        for f, file, _ in self.cached_factories():
            found[f.qualname] = Source(HolderKind.CACHED_FACTORY, f.qualname, file.path,
                                       f.site.line)
        for cls in self.classes.values():
            for attr, ctor, site in cls.attr_ctors:
                if self.is_loop_bound(ctor):
                    name = f"{cls.qualname}.{attr}"
                    path = self._class_paths.get(cls.qualname, "")
                    found.setdefault(name, Source(HolderKind.INSTANCE_CLIENT, name, path,
                                                  site.line))
        return found

    @cached_property
    def _class_paths(self) -> dict[str, str]:
        return {c.qualname: file.path for file in self.files for c in file.classes}

    # -- reach ---------------------------------------------------------------------------

    def ref_sources(self, ref: str) -> frozenset[Source]:
        """Sources a single mentioned name reaches: a source itself, or a function's reach."""
        return self._sources(ref, factories_only=False)

    def value_sources(self, ref: str) -> frozenset[Source]:
        """Sources an object is: a source itself, or what a factory returning a loop-bound
        object hands out (``get_client()``), but not any function's result (data)."""
        return self._sources(ref, factories_only=True)

    def _sources(self, ref: str, factories_only: bool) -> frozenset[Source]:
        for prefix in self.prefixes(ref):
            if "." not in prefix:
                break
            source = self.member(prefix, self.sources)
            if source is not None:
                return frozenset({self.sources[source]})
            fn = self.function(prefix)
            if fn is not None:
                if factories_only and not self.is_loop_bound(fn[0].qualname):
                    return frozenset()
                return self.reach.get(fn[0].qualname, frozenset())
        return frozenset()

    @cached_property
    def reach(self) -> dict[str, frozenset[Source]]:
        """Every function's reachable sources, through the call graph (a fixpoint)."""
        direct: dict[str, set[Source]] = defaultdict(set)
        callers: dict[str, set[str]] = defaultdict(set)
        for name, (fn, _) in self.functions.items():
            for ref in fn.refs:
                for prefix in self.prefixes(ref):
                    source = self.member(prefix, self.sources)
                    if source is not None:
                        direct[name].add(self.sources[source])
                        break
                    callee = self.function(prefix)
                    if callee is not None:
                        callers[callee[0].qualname].add(name)
                        break
        reach = {name: set(found) for name, found in direct.items()}
        pending = list(reach)
        while pending:
            callee = pending.pop()
            for caller in callers.get(callee, ()):
                gained = reach[callee] - reach.setdefault(caller, set())
                if gained:
                    reach[caller] |= gained
                    pending.append(caller)
        return {name: frozenset(found) for name, found in reach.items()}

    def evaluate(self, coro: CoroRef, seen: frozenset[tuple[str, int]] = frozenset(),
                 runs: bool = True) -> frozenset[Source]:
        """Sources a coroutine expression reaches, following parameters to their callers.

        ``runs=False``: the expression is only handed to a coroutine as a value.
        """
        found: set[Source] = set()
        for ref in coro.runs if runs else ():
            found |= self.ref_sources(ref)
        for ref in [*coro.values, *(() if runs else coro.runs)]:
            found |= self.value_sources(ref)
        fresh = {self.resolve(c) for c in coro.fresh_classes}
        found = {s for s in found if not (s.per_instance and s.name.rsplit(".", 1)[0] in fresh)}
        for ctor in coro.shared_ctors:
            if reason := self.loop_bound_reason(ctor):
                found.add(Source(HolderKind.SHARED, reason, "", 0))
        for annotation in coro.annotated:
            if reason := self.loop_bound_reason(annotation):
                found.add(Source(HolderKind.PASSED_IN, reason, "", 0))
        if len(seen) < _MAX_PARAM_DEPTH:
            for param in coro.params:
                key = (param.function, param.index)
                if key not in seen:
                    for arg in self.arguments(param):
                        found |= self.evaluate(arg, seen | {key}, runs and param.runs)
        return frozenset(found)

    def arguments(self, param: Param) -> Iterator[CoroRef]:
        """What callers (and thread submissions) pass for one parameter."""
        fn = self.functions.get(param.function)
        is_method = fn is not None and fn[0].cls is not None
        for call in self.callers.get(param.function, ()):
            index = param.index - 1 if is_method and call.bound else param.index
            if 0 <= index < len(call.args):
                yield call.args[index]
            yield from (ref for name, ref in call.kwargs if name == param.name)

    @cached_property
    def callers(self) -> dict[str, list]:
        found: dict[str, list] = defaultdict(list)
        for fn, _ in self.functions.values():
            for call in fn.calls:
                callee = self.function(call.callee)
                if callee is not None:
                    found[callee[0].qualname].append(call)
        for submit, _ in self.thread_submits():
            callee = self.function(submit.target)
            if callee is not None:
                found[callee[0].qualname].append(submit)
        return found

    # -- threads -------------------------------------------------------------------------

    def thread_submits(self) -> Iterator[tuple[ThreadSubmit, FileFacts]]:
        for file in self.files:
            for submit in file.thread_submits:
                yield submit, file

    @cached_property
    def thread_run(self) -> dict[str, frozenset[str]]:
        """Functions executed by a worker thread -> the functions that submitted them.

        A sync function called from a thread-run function runs in that thread too.
        """
        found: dict[str, set[str]] = defaultdict(set)
        for submit, _ in self.thread_submits():
            target = self.function(submit.target)
            if target is not None:
                found[target[0].qualname].add(submit.submitter)
        for cls in self.classes.values():
            if any(self.resolve(b) in kb.THREAD_CLASSES for b in cls.bases):
                run = self.functions.get(f"{cls.qualname}.run")
                if run is not None:
                    found[run[0].qualname].add("")
        pending = list(found)
        while pending:
            name = pending.pop()
            fn, _ = self.functions[name]
            for ref in fn.refs:
                callee = self.function(ref)
                if callee is None or callee[0].is_async:
                    continue
                gained = found[name] - found[callee[0].qualname]
                if gained:
                    found[callee[0].qualname] |= gained
                    pending.append(callee[0].qualname)
        return {name: frozenset(v) for name, v in found.items()}

    def async_users(self, name: str) -> list[Function]:
        """Coroutine functions that mention a module-level name."""
        return self._async_users.get(name, [])

    @cached_property
    def _async_users(self) -> dict[str, list[Function]]:
        users: dict[str, list[Function]] = defaultdict(list)
        for fn, _ in self.functions.values():
            if fn.is_async:
                for name in {p for r in fn.refs for p in self.prefixes(r)}:
                    users[name].append(fn)
        return users


def _is_class_attr(target: str, classes: dict[str, ClassInfo]) -> bool:
    return target.rpartition(".")[0] in classes
