"""The project-wide join: per-file facts connected into one picture.

It answers the questions several rules share: is this constructor loop-bound, which
long-lived loop-bound objects exist (the *sources*), what does a function or a coroutine
expression reach, which functions run in worker threads, and who calls whom with what.
"""

from __future__ import annotations

import heapq
import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from enum import Enum
from functools import cached_property
from itertools import chain
from pathlib import PurePosixPath

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.config import DEFAULT_TARGET, python_of
from loopdoctor.scan.model import (
    ANY_METHOD,
    Bind,
    Binding,
    CachedFactory,
    CacheWrite,
    Call,
    ClassInfo,
    CoroRef,
    FileFacts,
    Function,
    Guard,
    KeyKind,
    Op,
    Param,
    Site,
    ThreadSubmit,
    Value,
    Values,
)
from loopdoctor.scan.naming import TAG, untagged
from loopdoctor.scan.types import LOOP, Bound, Types

_MAX_ALIAS_HOPS = 8
_MAX_PARAM_DEPTH = 6
_MAX_DENOTE_DEPTH = 4
_FOUND, _SOURCE, _THROUGH = "found", "source", "through"  # what ``Project._plan`` says to do
_MAX_MADE_BY_DEPTH = 3
_MAX_TAKER_ROUNDS = 6  # classes that take the loop by making another such class
_MAX_MAKER_DEPTH = 2  # constructors followed back to where their object is made
_MAX_SETUP_HOPS = 3  # ``__init__`` -> ``self.configure()`` -> ``self._configure()``
_MAX_SYNC_CALLER_DEPTH = 2  # levels of callers followed up from a sync maker
_MAX_CONSTRUCTOR_CALLER_DEPTH = 3  # levels of callers followed up from ``__init__``
_TEST_DIRS = frozenset({"test", "tests", "testing"})
_ATTRIBUTES = (Bind.INSTANCE, Bind.CLASS, Bind.ANNOTATION, Bind.CLASS_SLOT)
_UNKNOWN = object()  # a look-up not made yet (None is an answer)


@dataclass(frozen=True, eq=False)
class Store:
    """A loop-bound value put in a slot or container that outlives the call."""

    holder: str
    bound: Bound
    key: KeyKind
    site: Site
    file: FileFacts
    slot: bool  # a whole slot (a global, a class attribute), not an item of a container
    lazy: Guard | None = None  # get-or-create: what the writer tests before making it
    keeps_loop: bool = False  # the loop is stored beside the object, never compared


class HolderKind(Enum):
    """What holds a long-lived loop-bound object. The order ranks which one a message names."""

    CACHE = "client cache"
    SINGLETON_PROVIDER = "singleton provider"
    CACHED_FACTORY = "{type} factory"
    MODULE_CLIENT = "module-level client"
    CLASS_CLIENT = "class-level client"
    INSTANCE_CLIENT = "client stored on the instance"
    INSTANCE_CACHE = "client cache on the instance"
    PRIMITIVE = "module-level {type}"
    SHARED = "client shared across loops:"
    PASSED_IN = "client passed in:"
    KEPT = "{type} made by the constructor of an object kept across loops"

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
    type: str = ""  # the primitive's type, the cache decorator's name for CACHED_FACTORY
    bound: Bound | None = None  # what makes the object loop-bound, and where it is made

    @property
    def per_instance(self) -> bool:
        return self.kind in _PER_INSTANCE

    def describe(self) -> str:
        short = short_name(self.name) if self.per_instance or self.kind is HolderKind.KEPT \
            else self.name.rsplit(".", 1)[-1]
        where = f" ({self.path}:{self.line})" if self.path else ""
        return f"{self.kind.value.format(type=self.type)} `{short}`{where}"


def witness(sources: frozenset[Source]) -> Source:
    """The one source a message names: the most telling kind, then the first by name."""
    return min(sources, key=lambda s: (s.kind.rank, s.path, s.name))


class Project:
    def __init__(self, files: list[FileFacts], extra_loop_bound: frozenset[str] = frozenset(),
                 python: tuple[int, int] = python_of(DEFAULT_TARGET),
                 scanned: frozenset[str] = frozenset(),
                 newest_python: tuple[int, int] | None = None):
        self.files = files
        self.scanned = scanned  # every file's path in the scan, parsed or not
        self.loop_bound_types = kb.LOOP_BOUND_TYPES | extra_loop_bound
        self.python = python  # the oldest Python the code runs on
        self.newest_python = newest_python  # the newest, when something bounds it
        self.primitives_bind_when_made = python < kb.PRIMITIVES_BIND_ON_FIRST_USE
        self.functions: dict[str, tuple[Function, FileFacts]] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.aliases: dict[str, str] = {}
        self.containers: set[str] = set()
        self.closed_slots: set[str] = set()
        self.instance_containers: set[str] = set()
        self.bindings: dict[str, list[tuple[Binding, FileFacts]]] = defaultdict(list)
        self.items: dict[str, list[tuple[CacheWrite, FileFacts]]] = defaultdict(list)
        self.roots: set[str] = set()
        self.modules: set[str] = set()
        self._resolved: dict[str, str] = {}
        self._prefixes: dict[str, tuple[str, ...]] = {}
        self._names: dict[str, frozenset[str]] = {}
        self._members: dict[tuple[str, int], str | None] = {}
        self._plans: dict[tuple[str, bool, bool], tuple] = {}  # ``_denote``'s, by name
        self._mros: dict[str, tuple[str, ...]] = {}
        self._made_per_run: dict[str, bool] = {}
        self._made_in_coroutines: dict[str, bool] = {}
        self._overrides: dict[str, tuple[str, ...]] = {}
        self._inits: dict[str, str | None] = {}
        self._sorted_callees: dict[str, tuple[object, tuple[str, ...]]] = {}
        self._callers_building: list[list] = []  # builds of ``callers`` in progress
        self._edges_building: dict | None = None  # ``callers`` so far, while edges are added
        self._loop_bound_classes: frozenset[str] | None = None
        for file in files:
            self._add(file)
        self._alias_star_imports()
        self.types = Types(self)
        self._alias_module_instances()

    def release(self) -> None:
        """Break the join's cycles (the project and its types refer to each other, its
        tables to both): once the caller drops it, reference counting frees all of it."""
        self.types.__dict__.clear()
        self.__dict__.clear()

    def _add(self, file: FileFacts) -> None:
        top = file.module.split(".")[0]
        self.roots.update((top, _top(top)))  # (a name other roots share, too)
        self.modules.add(file.module)
        self.aliases.update(file.aliases)
        self.containers |= file.containers | file.weak_containers
        self.closed_slots |= file.closed_slots
        self.instance_containers |= file.instance_containers
        for fn in file.functions:
            self.functions[fn.qualname] = (fn, file)
        for cls in file.classes:
            self.classes[cls.qualname] = cls
        for binding in file.bindings:
            self.bindings[binding.target].append((binding, file))
        for write in file.cache_writes:
            self.items[write.container].append((write, file))

    def _alias_star_imports(self) -> None:
        """``from pkg.providers import *``: each public top-level name of the scanned module
        (and of those it star-imports in turn) is this module's too, unless this module
        binds it itself; the last star import wins, as in Python."""
        by_module = {file.module: file for file in self.files}

        def exported(module: str, seen: frozenset[str]) -> set[str]:
            found = by_module.get(module)
            if found is None or module in seen or len(seen) > _MAX_ALIAS_HOPS:
                return set()
            names = {name for name in found.names if not name.startswith("_")}
            for star in found.star_imports:
                names |= exported(star, seen | {module})
            return names

        for file in self.files:
            for star in reversed(file.star_imports):
                for name in sorted(exported(star, frozenset()) - file.names):
                    self.aliases.setdefault(f"{file.module}.{name}", f"{star}.{name}")

    def _alias_module_instances(self) -> None:
        """``pool = ClientPool()`` at module level: ``pool.get`` is ``ClientPool.get``.
        (Loop-bound instances stay sources in their own right: LD301.)"""
        for target, found in list(self.bindings.items()):
            calls = [v for b, _ in found if b.kind is Bind.MODULE for v in b.values
                     if v.op is Op.CALL]
            if len(calls) == 1 and len(found) == 1:
                cls = self.resolve(calls[0].name)
                if cls in self.classes and not self._makes_client(cls):
                    self.aliases.setdefault(target, cls)
        self._resolved.clear()
        self._prefixes.clear()
        self._names.clear()
        self.__dict__.pop("_functions_naming", None)  # (a cached_property built from _names)
        self._members.clear()
        self._plans.clear()
        self._mros.clear()
        self._made_per_run.clear()
        self._made_in_coroutines.clear()
        self.types = Types(self)  # what it learnt before the aliases may be stale

    def _makes_client(self, cls: str) -> bool:
        """A cheap look before types are known: is ``cls`` (or a base) a known loop-bound
        type, or does it make one in an attribute? Such an instance stays a source."""
        for name in self._walk_mro(cls):  # aliases are being added: nothing kept yet
            if name in self.loop_bound_types or any(
                    v.op is Op.CALL and self.resolve(v.name) in self.loop_bound_types
                    for b, _ in self._attributes.get(name, ()) for v in b.values):
                return True
        return False

    # -- names ---------------------------------------------------------------------------

    def resolve(self, name: str) -> str:
        """Follow re-exports: ``pkg.get_client`` -> ``pkg.clients.get_client``."""
        found = self._resolved.get(name)
        if found is None:
            found = self._resolved[name] = self._resolve(name)
        return found

    def _resolve(self, name: str) -> str:
        """A package's global named like its submodule (``from pkg.api import api`` in
        ``pkg``) does not shadow the package's other submodules (``pkg.api.base.X``): an
        import finds those by module path."""
        used: set[str] = set()  # ``from .timeout import timeout`` aliases a name to itself.x
        for _ in range(_MAX_ALIAS_HOPS):
            head = longer = name  # each dotted prefix, longest first, and the one before it
            while True:
                target = self.aliases.get(head)
                if target is not None and target != head and head not in used \
                        and longer not in self.modules:
                    used.add(head)
                    name = target + name[len(head):]
                    break
                dot = head.rfind(".")
                if dot < 0:
                    return name
                head, longer = head[:dot], head
        return name

    def is_internal(self, name: str) -> bool:
        """Does the name point into a scanned package (even where nothing matches it)?"""
        return name.split(".", 1)[0] in self.roots

    def known_suffix(self, name: str) -> str | None:
        """A known loop-bound type that a project name re-exports: ``pkg._compat.httpx.
        AsyncClient`` is ``httpx.AsyncClient`` when ``_compat`` was not parsed."""
        parts = name.split(".")
        for cut in range(1, len(parts) - 1):
            tail = ".".join(parts[cut:])
            if tail in self.loop_bound_types:
                return tail
        return None

    def prefixes(self, name: str) -> tuple[str, ...]:
        found = self._prefixes.get(name)
        if found is None:
            parts = self.resolve(name).split(".")
            found = self._prefixes[name] = tuple(
                ".".join(parts[:cut]) for cut in range(len(parts), 1, -1))
        return found

    def mro(self, cls: str) -> tuple[str, ...]:
        """The class and its bases, breadth first (kept: asked hundreds of thousands of times)."""
        found = self._mros.get(cls)
        if found is None:
            found = self._mros[cls] = tuple(self._walk_mro(cls))
        return found

    def _walk_mro(self, cls: str) -> Iterator[str]:
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
        found = self._members.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = self._members[key] = self._member(name, table)
        return found

    def _member(self, name: str, table: dict[str, object] | set[str],
                follow: bool = True) -> str | None:
        """``follow``: also through an attribute or function that names one project class's
        instance (one level)."""
        name = self.resolve(name)
        if name in table:
            return name
        owner, _, attr = name.rpartition(".")
        if owner in self.classes:
            for cls in self.mro(owner):
                if f"{cls}.{attr}" in table:
                    return f"{cls}.{attr}"
            return None
        held = self._instance_class(owner) if follow and self.is_internal(owner) else None
        return self._member(f"{held}.{attr}", table, False) if held else None

    def _instance_class(self, name: str) -> str | None:
        """The one project class whose instance ``name`` is: an attribute or global bound
        only to instances of it (``self.service = IssueService(...)``), or a function that
        returns only those (``get_manager()`` returning its global), so that
        ``self.service.list`` and ``get_manager().request`` name that class's methods."""
        fn = self.functions.get(self.resolve(name))
        values = fn[0].returns if fn else self._bound_values(name)
        found: set[str] = set()
        for value in values:
            if value.op is Op.CALL:
                found.add(self.resolve(value.name))
            elif value.op is Op.ANNOTATED:
                continue  # what a getter declares it returns, not what it is seen to return
            elif value.op is Op.NAME and fn is not None:
                found |= {self.resolve(v.name) for v in self._bound_values(value.name, fn[0])
                          if v.op is Op.CALL}
            elif value.op is Op.ITEM and fn is not None and value.parts \
                    and value.parts[0].op is Op.NAME:
                container = self._member(value.parts[0].name, self.items, False)
                found |= {self.resolve(v.name) for write, _ in self.items.get(container or "", [])
                          for v in write.values if v.op is Op.CALL}
            else:
                return None
        classes = found & self.classes.keys()
        return classes.pop() if len(found) == 1 and classes else None

    def function(self, name: str) -> tuple[Function, FileFacts] | None:
        found = self.member(name, self.functions)
        return self.functions[found] if found else None

    def _bound_values(self, name: str, getter: Function | None = None) -> list[Value]:
        """What the assignments of a name or attribute bind it to (not its annotations);
        with ``getter``, those it makes itself (``if _m is None: _m = Manager()``): a getter
        that only returns a global someone else fills may return nothing (None)."""
        found = self._member(name, self.bindings, False)
        return [v for b, _ in self.bindings.get(found or "", [])
                if b.kind is not Bind.ANNOTATION
                and (getter is None or b.site.scope == getter.qualname) for v in b.values]

    def bindings_of(self, name: str) -> list[tuple[Binding, FileFacts]]:
        found = self.member(name, self.bindings)
        return self.bindings[found] if found else []

    def kept_on_instance(self, method: str) -> bool:
        """A method whose result stays on the instance under its name (``@cached_property``):
        the name means that value, not the function."""
        return any(b.kind is Bind.INSTANCE and b.site.scope == b.target
                   for b, _ in self.bindings_of(method))

    def item_writes(self, container: str) -> list[tuple[CacheWrite, FileFacts]]:
        found = self.member(container, self.items)
        return self.items[found] if found else []

    @cached_property
    def _attributes(self) -> dict[str, list[tuple[Binding, FileFacts]]]:
        found: dict[str, list[tuple[Binding, FileFacts]]] = defaultdict(list)
        for target, bindings in self.bindings.items():
            owner = target.rpartition(".")[0]
            if owner in self.classes:
                found[owner] += [(b, f) for b, f in bindings if b.kind in _ATTRIBUTES]
        return found

    def attributes_of(self, cls: str) -> list[tuple[Binding, FileFacts]]:
        """Bindings of ``cls.attr`` for every attribute the class itself binds."""
        return self._attributes.get(cls, [])

    @property
    def ancestors(self) -> dict[str, tuple[str, ...]]:
        """Each project class to the names of the classes of this project it derives from,
        parsed or not yet."""
        return {cls: tuple(base.rpartition(".")[2] for base in self.mro(cls)
                           if base != cls and self.is_internal(base))
                for cls in self.classes}

    @cached_property
    def subclasses(self) -> dict[str, dict[str, None]]:
        """Each class to its direct subclasses, in the project's order (a dict, not a set:
        what walks them, and asks the join on the way, meets them in the same order under
        every hash seed)."""
        found: dict[str, dict[str, None]] = defaultdict(dict)
        for cls in self.classes.values():
            for base in cls.bases:
                found[self.resolve(base)][cls.qualname] = None
        return found

    def overrides(self, name: str) -> tuple[str, ...]:
        """``Base.m`` and every subclass's own ``m``: what a call of ``Base.m`` may run.
        (Kept: each call of a method of a class with thousands of subclasses, ``self.assert*``
        in a test suite, would walk them all again.)"""
        found = self._overrides.get(name)
        if found is None:
            found = self._overrides[name] = tuple(self._find_overrides(name))
        return found

    def _find_overrides(self, name: str) -> list[str]:
        fn = self.functions.get(name)
        if fn is None or fn[0].cls is None:
            return [name]
        attr = name.rsplit(".", 1)[-1]
        return [name, *(f"{sub}.{attr}" for sub in self.descendants(fn[0].cls)
                         if f"{sub}.{attr}" in self.functions)]

    def descendants(self, cls: str) -> Iterator[str]:
        """Every subclass of ``cls``, through any number of steps, each once."""
        pending, seen = [cls], set()
        while pending:
            for sub in self.subclasses.get(pending.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    pending.append(sub)
                    yield sub

    # -- loop-bound types ----------------------------------------------------------------

    def is_script(self, file: FileFacts) -> bool:
        """A program's entry module: run as ``__main__``, imported by no other scanned file,
        starting at most one loop. Its module-level objects meet one loop only."""
        return (file.script or bool(file.module_loop_starts)) \
            and len(file.module_loop_starts) <= 1 and file.module not in self._imported_modules

    def runs_as_program(self, file: FileFacts) -> bool:
        """A file written to run with its own folder on ``sys.path`` (it imports a module that
        sits beside it by that module's bare name: ``from app_utils import x`` next to
        ``app_utils.py``, inside a package's folder), that no scanned module
        imports: a program a server or runner loads (an app template), not a library module.
        When it starts no loop and hands nothing to a thread, its coroutines run on the loop
        of the process that loads it."""
        if file.module in self._imported_modules or file.module_loop_starts \
                or file.thread_submits \
                or any(fn.loop_starts or fn.sets_event_loop for fn in file.functions):
            return False
        folder = posixpath.dirname(file.path)
        top = _top(file.module)
        return self._in_package(folder) and any(
            self._beside(folder, _top(target)) for _, target in file.aliases
            if _top(target) != top)

    def _beside(self, folder: str, name: str) -> bool:
        """Is ``name`` a module or package of the scan in ``folder`` (a sibling imported by
        its bare name)?"""
        return bool(name) and (posixpath.join(folder, f"{name}.py") in self.scanned
                               or posixpath.join(folder, name, "__init__.py") in self.scanned)

    def _in_package(self, folder: str) -> bool:
        """Does the scan hold an ``__init__.py`` in ``folder`` or a folder above it?"""
        while folder and folder != posixpath.dirname(folder):
            if posixpath.join(folder, "__init__.py") in self.scanned:
                return True
            folder = posixpath.dirname(folder)
        return False

    @staticmethod
    def in_tests(file: FileFacts) -> bool:
        return is_test_module(file.module, file.path)

    def program_code(self, fn: Function, file: FileFacts) -> bool:
        """A program's own code rather than a library's: an entry point (``main``, a CLI
        command), a test, a script."""
        return fn.entry_point or self.in_tests(file) or self.is_script(file)

    def callees(self, fn: Function) -> Iterator[Function]:
        """The project's functions that ``fn`` calls by name."""
        for call in fn.calls:
            found = self.functions.get(call.callee)
            if found is not None:
                yield found[0]

    def users(self, fn: Function) -> list[tuple[Function, FileFacts]]:
        """The functions of the project that name ``fn`` (its class, for a constructor)."""
        name = _used_name(fn)
        return [(user, file) for user, file in self.functions.values() if name in user.refs]

    def used_after_import(self, name: str) -> bool:
        """Does any function name the global ``name`` (or an attribute of it), or does a
        thread get it: a use after import time, not only by the module's own top level."""
        return bool(self.functions_naming(name)) \
            or any(name in self.prefixes(submit.target) for submit, _ in self.thread_submits())

    def functions_naming(self, name: str) -> tuple[str, ...]:
        """The functions that name ``name`` or an attribute of it (``pool`` for a function
        calling ``pool.get()``), as the join resolves their names, in definition order."""
        return self._functions_naming.get(name, ())

    @cached_property
    def _functions_naming(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = defaultdict(list)
        for function, (fn, _) in self.functions.items():
            for name in self.names_in(fn):
                found[name].append(function)
        return {name: tuple(functions) for name, functions in found.items()}

    @cached_property
    def attributes_read(self) -> frozenset[str]:
        """Every attribute name a project function reads, on whatever object (``_loop`` for
        ``self._loop.call_soon(...)`` and for ``other._loop``): the parts of its refs after
        the first."""
        return frozenset(part for fn, _ in self.functions.values() for ref in fn.refs
                         for part in ref.split(".")[1:])

    def names_in(self, fn: Function) -> frozenset[str]:
        """Every name the refs of ``fn`` resolve to, with its dotted prefixes (not the bare
        first part), as the aliases resolve it (kept: ``_alias_module_instances`` drops it)."""
        found = self._names.get(fn.qualname)
        if found is None:
            found = self._names[fn.qualname] = frozenset(
                p for ref in fn.refs for p in self.prefixes(ref))
        return found

    def dead_private(self, fn: Function) -> bool:
        """A private function that nothing in the project uses: dead code or a test
        utility, not the library's API."""
        return private(fn) and not self.users(fn)

    @cached_property
    def _imported_modules(self) -> set[str]:
        imported = set()
        for target in (t for file in self.files for _, t in file.aliases):
            parts = target.split(".")
            imported.update(".".join(parts[:cut]) for cut in range(1, len(parts) + 1))
        return imported

    def bound(self, values: Values, path: str) -> Bound | None:
        return self.types.bound(values, path)

    def target_bound(self, target: str) -> Bound | None:
        """Is what a global, class or instance attribute holds loop-bound, and why?"""
        return self.types.bound((Value(Op.NAME, target),), "")

    def is_loop_bound(self, name: str) -> bool:
        return self.types.class_bound(self.resolve(name)) is not None

    def returns_bound(self, fn: Function, file: FileFacts) -> Bound | None:
        return self.types.bound(tuple(v for v in fn.returns if v.op is not Op.PARAM),
                                file.path)

    def loop_bound_classes(self) -> frozenset[str]:
        """Project classes that are or hold a loop-bound object, and functions that return
        one: other files construct or call them. (Several rules' exports ask: computed once.)"""
        if self._loop_bound_classes is None:
            self._loop_bound_classes = frozenset(
                {c for c in self.classes if self.types.class_bound(c) is not None} | {
                    name for name, (fn, file) in self.functions.items()
                    if fn.returns and self.returns_bound(fn, file) is not None})
        return self._loop_bound_classes

    # -- long-lived loop-bound objects ---------------------------------------------------

    def constructs(self) -> Iterator[tuple[Binding, FileFacts, Bound]]:
        """Loop-bound objects made at import time: module or class level, default arguments."""
        for found in self.bindings.values():
            for binding, file in found:
                if not binding.kind.at_import or not any(
                        v.op in (Op.CALL, Op.LOOP) for v in binding.values):
                    continue
                if self.resolve(binding.values[0].name) in kb.ASYNCIO_PRIMITIVES:
                    continue
                bound = self.bound(binding.values, file.path)
                if bound is not None:
                    yield binding, file, bound

    def made_outside_loop(self, cls: str, passed: int | None = None,
                          depth: int = 0) -> tuple[str, bool]:
        """``path:line`` where this project visibly makes a ``cls`` outside any running loop
        (at import, in sync code that not only coroutines run, in the constructor of an
        object made so), or "", and whether that is about a ``cls`` itself (not about an
        object whose constructor makes one). ``passed``: a parameter of ``__init__`` that,
        when given, replaces what ``__init__`` would take (``loop or get_event_loop()``);
        sites that pass it do not count."""
        init = self.functions.get(f"{cls}.__init__")
        if init is not None and self._made_when_configured(cls):
            return f"{init[1].path}:{init[0].site.line} (a logging handler: made when logging " \
                   f"is configured)", True
        if cls in self._made_at_import:
            return self._made_at_import[cls], True
        for call, path in self.callers.get(init[0].qualname, ()) if init else ():
            maker = self.functions.get(call.site.scope) if call.site else None
            if maker is None or maker[0].is_async or (passed is not None and isinstance(
                    call, Call) and _argument(call, passed, init[0].qualname, self)):
                continue
            if maker[0].setup and maker[0].cls and depth < _MAX_MAKER_DEPTH \
                    and self._makes(call, cls, maker[0].cls) \
                    and self.made_outside_loop(maker[0].cls, depth=depth + 1)[0]:
                return f"{path}:{call.site.line}", False
            if not maker[0].setup and not self._may_run_in_loop(maker[0].qualname):
                return f"{path}:{call.site.line}", True
        return "", True

    @cached_property
    def _made_at_import(self) -> dict[str, str]:
        """Class -> ``path:line`` of the first global or class attribute that calls it."""
        found: dict[str, str] = {}
        for binding, file in (pair for pairs in self.bindings.values() for pair in pairs):
            if binding.kind in (Bind.MODULE, Bind.CLASS, Bind.GLOBAL):
                for v in (v for v in binding.values if v.op is Op.CALL):
                    found.setdefault(self.resolve(v.name), f"{file.path}:{binding.site.line}")
        return found

    def _makes(self, call: Call | ThreadSubmit, cls: str, maker_cls: str) -> bool:
        """Does a constructor's call make a ``cls``: by name, or as ``super().__init__()`` of
        a subclass (not any ``__init__`` a ``super()`` call might reach)?"""
        return isinstance(call, Call) and (self.resolve(call.callee) == cls or (
            maker_cls != cls and cls in self.mro(maker_cls)))

    def _made_when_configured(self, cls: str) -> bool:
        """A logging handler (or filter): made in sync code when logging is configured."""
        return any(base in kb.MADE_WHEN_CONFIGURED for base in self.mro(cls))

    def _may_run_in_loop(self, name: str) -> bool:
        """Is every call of the sync function ``name`` made inside ``async def``, directly or
        through sync helpers that only coroutines call (two levels), or through a function
        whose own callers the join cannot see? False when nothing calls a function whose
        callers it would see (a module-level function: the library's sync API). A function
        kept in a table of callables (``SETUPS = {"a": a.setup}``) is called by the functions
        that read the table."""
        return self.every_caller(name, self._coroutine_or_callers_unseen,
                                 self._callers_or_table_readers, _MAX_SYNC_CALLER_DEPTH)

    def _coroutine(self, name: str) -> bool | None:
        """True for an ``async def``, False for no function, None (ask its callers) else."""
        found = self.functions.get(name)
        if found is None:
            return False
        return True if found[0].is_async else None

    def _coroutine_or_callers_unseen(self, name: str) -> bool | None:
        """... or a constructor of a class made only inside coroutines (it runs there)."""
        found = self._coroutine(name)
        if found is None:
            fn = self.functions[name][0]
            if self._callers_unseen(fn) or (fn.setup and fn.cls
                                            and self.made_in_coroutines(fn.cls)):
                return True
        return found

    def _callers_or_table_readers(self, name: str) -> list[str]:
        """The callers of ``name``, and the functions that read a table of callables holding
        it (``SETUPS.items()``)."""
        return self.calling_scopes(name) + [
            reader for table in self.tables_holding.get(name, ())
            for reader in self.functions_naming(table)]

    @cached_property
    def tables_holding(self) -> dict[str, set[str]]:
        """Function -> the module- or class-level tables whose value names it (a class: its
        ``__init__``, run by whoever reads the table and calls what it found there)."""
        found: dict[str, set[str]] = defaultdict(set)
        for file in self.files:
            for table, mentioned in file.tables:
                for name in mentioned:
                    if (resolved := self.resolve(name)) in self.functions:
                        found[resolved].add(table)
                    elif resolved in self.classes and f"{resolved}.__init__" in self.functions:
                        found[f"{resolved}.__init__"].add(table)
        return found

    def _callers_unseen(self, fn: Function) -> bool:
        """A function whose callers the join cannot see, so that being sync says nothing of
        where it runs: one defined in another (handed out as a value, a factory, a callback)
        or an instance method (called through an object whose type is not followed: a
        parameter typed by a protocol, a config handed around), that nothing here is seen to
        call. It runs wherever its receiver calls it, inside the loop too. Class and static
        methods, and constructors, are called through their class's name, found as a module
        function's are. A call that names a method this one overrides is not seen to call
        this one."""
        constructor = fn.qualname.endswith(".__init__")
        return (".<locals>." in fn.qualname or (_instance_method(fn) and not constructor)) \
            and not any(self._call_names(call, fn.qualname)
                        for call, _ in self.callers.get(fn.qualname, ()))

    def _call_names(self, call: Call | ThreadSubmit, function: str) -> bool:
        """Does the call name ``function`` (or a name that resolves to it), rather than
        another function it overrides (``config.create()`` with ``config: BaseConfig``: which
        override runs is whatever object the caller was handed)?"""
        named = self.function(call.callee if isinstance(call, Call) else call.target)
        return named is None or named[0].qualname == function

    def drives_loop(self, cls: str) -> str:
        """``path:line`` where a method of ``cls`` runs a loop it did not make, or ""."""
        for name in self.mro(cls):
            for fn, file in (self.functions[f] for f in self.functions if f.startswith(
                    f"{name}.") and self.functions[f][0].cls == name):
                for start in fn.loop_starts:
                    if start.api == "run_until_complete" and not start.fresh_loop:
                        return f"{file.path}:{start.site.line}"
        return ""

    def made_in_setup(self) -> Iterator[tuple[Binding, FileFacts, Bound]]:
        """Objects that take the current event loop when they are made (a grpc.aio channel,
        an asyncio primitive before Python 3.10), or the current loop itself
        (``get_event_loop()``, unguarded), made by ``__init__`` or a validator, which runs
        wherever the object is made, and kept on the instance; and objects of project classes
        whose own constructor does so (``self.queue = LogQueue()``)."""
        takers = self.loop_taking_classes
        for binding, file in self._setup_bindings():
            bound = self._taken_when_made(binding, file) or _made_taker(self, binding, takers)
            if bound is not None:
                yield binding, file, bound

    @cached_property
    def loop_taking_classes(self) -> dict[str, Bound]:
        """Project classes whose constructor takes the current loop, directly or by making
        an object of another such class (to a fixpoint, bounded): what that one takes."""
        takers: dict[str, Bound] = {}
        for _ in range(_MAX_TAKER_ROUNDS):
            grown = False
            for binding, file in self._setup_bindings():
                cls = self.functions[binding.site.scope][0].cls
                if cls and cls not in takers and (bound := self._taken_when_made(
                        binding, file) or _made_taker(self, binding, takers)) is not None:
                    takers[cls] = bound
                    grown = True
            if not grown:
                break
        return takers

    def _setup_bindings(self) -> Iterator[tuple[Binding, FileFacts]]:
        """Instance attributes a constructor or validator sets, unless under ``if <a loop is
        running>`` or in a class only coroutines make."""
        for found in self.bindings.values():
            for binding, file in found:
                writer = self.functions.get(binding.site.scope)
                if binding.kind is Bind.INSTANCE and writer is not None \
                        and writer[0].qualname in self.construction_methods \
                        and not binding.in_loop \
                        and not self.made_in_coroutines(writer[0].cls or ""):
                    yield binding, file

    @cached_property
    def construction_methods(self) -> frozenset[str]:
        """Methods that run while an object is made: ``__init__`` and validators, and the
        methods of their class they reach (``self.configure()``, which calls a ``_configure``
        hook a subclass overrides), a few hops deep; not what they hand to a thread."""
        found = {name for name, (fn, _) in self.functions.items() if fn.setup}
        frontier = set(found)
        for _ in range(_MAX_SETUP_HOPS):
            frontier = {method for name in frontier for method in self._own_methods(name)
                        if method not in found and method not in self.thread_run}
            found |= frontier
        return frozenset(found)

    def _own_methods(self, name: str) -> Iterator[str]:
        """The sync methods of its own class (or a base) a method refers to, and their
        overrides; not those it only hands to another call (``Pool(connect=self._connect)``)."""
        fn = self.functions[name][0]
        handed = {v.name for call in fn.calls
                  for values in (*call.values, *(found for _, found in call.kwvalues))
                  for v in values}
        for ref in fn.refs - handed if fn.cls else ():
            owner = ref.rpartition(".")[0]
            if owner in self.classes and owner in self.mro(fn.cls) and ref in self.functions:
                yield from (m for m in self.overrides(ref) if not self.functions[m][0].is_async)

    def _taken_when_made(self, binding: Binding, file: FileFacts) -> Bound | None:
        if any(v.op is Op.LOOP and v.name in kb.GET_EVENT_LOOP and not v.index
               for v in binding.values):
            return Bound(LOOP, path=file.path, line=binding.site.line)
        made = tuple(v for v in binding.values if v.op is Op.CALL and not v.index)
        bound = self.bound(made, file.path)
        if bound is not None and not bound.holds and _binds_when_made(bound.type) \
                and bound.type not in self.classes:  # the library scanned itself: its code says
            return bound
        for value in made:
            name = self.resolve(value.name)
            if takes_loop_when_made(name) and name not in self.classes:
                return Bound(name, path=file.path, line=value.line)
        if self._loop_in_stored_value(binding):
            return Bound(LOOP, path=file.path, line=binding.site.line)
        return None

    def _loop_in_stored_value(self, binding: Binding) -> bool:
        """``get_event_loop()`` evaluated inside the stored expression, where it is not the value
        itself: a default (``config.pop("loop", asyncio.get_event_loop())``), an argument.
        Where the loop is the value, its own fact decides (a guarded one is fine); what a
        method of the loop returns (``get_event_loop().run_until_complete(...)``) is not it."""
        writer = self.functions[binding.site.scope][0]
        if any(v.op is Op.LOOP or v.name.startswith(tuple(f"{g}." for g in kb.GET_EVENT_LOOP))
               for v in binding.values):
            return False
        return any(binding.site.line <= site.line <= binding.site.end_line
                   for site in writer.get_event_loop_sites)

    def made_in_coroutines(self, cls: str, depth: int = 0) -> bool:
        """Is every object of ``cls`` this project makes made inside ``async def`` (where the
        current loop is the running one)? False when nothing here makes one. A maker kept in a
        table of callables runs where the table's readers run, and the constructor of another
        class where that class's objects are made."""
        init = self.functions.get(f"{cls}.__init__")
        if init is None:
            return False
        found = self._made_in_coroutines.get(cls)
        if found is None:
            found = self.every_caller(
                init[0].qualname, lambda name: self._coroutine_or_made_in_one(name, cls, depth),
                self._callers_or_table_readers, _MAX_CONSTRUCTOR_CALLER_DEPTH, recursion=False)
            if depth == 0:
                self._made_in_coroutines[cls] = found
        return found

    def _coroutine_or_made_in_one(self, name: str, cls: str, depth: int) -> bool | None:
        """True for an ``async def``; for the constructor of another class, whether that
        class is made only inside coroutines (a few constructors deep)."""
        found = self._coroutine(name)
        fn = self.functions[name][0] if found is None else None
        if fn is not None and fn.setup and fn.cls and fn.cls != cls \
                and depth < _MAX_MAKER_DEPTH and self.made_in_coroutines(fn.cls, depth + 1):
            return True
        return found

    def made_in_coroutine(self, cls: str) -> str:
        """``path:line`` where an ``async def`` makes an object of ``cls``, or ""."""
        init = self.functions.get(f"{cls}.__init__")
        for call, path in self.callers.get(init[0].qualname, ()) if init else ():
            maker = self.functions.get(call.site.scope) if call.site else None
            if maker is not None and maker[0].is_async:
                return f"`async def {maker[0].qualname.rsplit('.', 1)[-1]}` ({path}:" \
                       f"{call.site.line})"
        return ""

    def primitives(self, instances: bool = False) -> Iterator[tuple[Binding, FileFacts]]:
        """asyncio primitives made once for the process: at module or class level, or
        (``instances``) on the instance of a class whose objects outlive loops (a singleton,
        one kept in a global)."""
        for found in self.bindings.values():
            for binding, file in found:
                if binding.values and binding.values[0].op is Op.CALL \
                        and self.resolve(binding.values[0].name) in kb.ASYNCIO_PRIMITIVES \
                        and (binding.kind in (Bind.MODULE, Bind.CLASS) or (
                            instances and self.process_wide_instance(binding) is not None)):
                    yield binding, file

    def process_wide_instance(self, binding: Binding) -> LongLived | None:
        """Why the instance an attribute binding sets outlives loops, or None."""
        if binding.kind is not Bind.INSTANCE:
            return None
        why = self.long_lived(binding.target.rpartition(".")[0])
        return why if why is not None and not why.closed else None

    def cache_writes(self, per_object: bool = False) -> Iterator[Store]:
        """Loop-bound values stored in a module- or class-level slot or container, any key
        (``per_object``: in a dict on an instance instead, ``self._cache[key] = client``)."""
        containers = self.instance_containers if per_object else self.containers
        for container, writes in self.items.items():
            if self.member(container, containers) is None or self._resets({container}):
                continue
            for write, file in writes:
                if self._resets(self.holders(write.over)):
                    continue  # made over an object whose owner resets its pool per loop
                if (bound := self.bound(write.values, file.path)) is not None:
                    yield Store(container, bound, write.key, write.site, file, False,
                                keeps_loop=write.keeps_loop)
        if per_object:
            return
        for target, found in self.bindings.items():
            if self.lifecycle_managed(target):
                continue
            for binding, file in found:
                if binding.kind.slot and (bound := self.bound(binding.values, file.path)):
                    yield Store(target, bound, binding.key, binding.site, file, True,
                                binding.lazy)

    @cached_property
    def store_methods(self) -> dict[str, list[StoreMethod]]:
        """Functions that store one of their parameters in a container of their instance,
        directly (``self._cache[key] = value``) or through another (``super().set(k, v)``)."""
        found: dict[str, list[StoreMethod]] = defaultdict(list)
        for container, writes in self.items.items():
            if self.member(container, self.instance_containers) is None:
                continue
            for write, _ in writes:
                fn = write.site.scope
                for value in write.values:
                    if value.op is Op.PARAM and value.name == fn:
                        key = self._key_kind(write.key, write.key_values, fn)
                        found[fn].append(StoreMethod(container, value.index, key[0], key[1]))
        for _ in range(_MAX_PARAM_DEPTH):
            if not self._forward_stores(found):
                break
        return found

    def _forward_stores(self, found: dict[str, list[StoreMethod]]) -> bool:
        """One round: a function that passes its own parameter on to a store method stores it."""
        added = False
        for name, (fn, _) in self.functions.items():
            for call in fn.calls:
                for callee in self._callee(call.callee):
                    for method in list(found.get(callee, ())):
                        value = _argument(call, method.value_index, callee, self)
                        params = [v.index for v in value if v.op is Op.PARAM and v.name == name]
                        if not params:
                            continue
                        key_values = _argument(call, method.key_index, callee, self) \
                            if method.key_index is not None else ()
                        kind, index = self._key_kind(method.key, key_values, name)
                        derived = StoreMethod(method.container, params[0], kind, index)
                        if derived not in found[name]:
                            found[name].append(derived)
                            added = True
        return added

    def _key_kind(self, kind: KeyKind, values: Values, fn: str) -> tuple[KeyKind, int | None]:
        """A write's key kind, made loop-aware by a helper that builds it from the loop; and
        the parameter of ``fn`` the key is, when callers decide."""
        if kind is not KeyKind.OTHER:
            return kind, None
        for value in values:
            if value.op is Op.CALL and (helper := self.function(value.name)) is not None \
                    and helper[0].returns_key is not KeyKind.OTHER:
                return helper[0].returns_key, None
        index = next((v.index for v in values if v.op is Op.PARAM and v.name == fn), None)
        return KeyKind.OTHER, index

    def stores_through_methods(self) -> Iterator[Store]:
        """``CACHE.set(key, client)`` where ``CACHE`` is a module- or class-level object whose
        method stores the client in a dict of its own: a long-lived cache like any other."""
        for caller, (fn, file) in self.functions.items():
            for call in fn.calls:
                receiver = call.callee.rpartition(".")[0]
                if call.site is None or not self._one_object(receiver):
                    continue
                callee = self._receiver_method(receiver, call.callee)
                for method in self.store_methods.get(callee, ()):
                    store = self._store_call(call, callee, method, caller, file, receiver)
                    if store is not None:
                        yield store

    def _one_object(self, name: str) -> bool:
        """Does a name hold one object for the process: a module global or class attribute
        that is assigned an object, and never per instance?"""
        bindings = self.bindings.get(name) or self.bindings_of(name)
        return any(b.kind in (Bind.MODULE, Bind.CLASS, Bind.GLOBAL) and b.values
                   for b, _ in bindings) and not any(b.kind is Bind.INSTANCE for b, _ in bindings)

    def _receiver_method(self, receiver: str, callee: str) -> str:
        """The method a call runs on an object whose class is known: its own class's."""
        exact = self.function(callee)
        if exact is not None:
            return exact[0].qualname
        method = callee.rpartition(".")[2]
        for typ in self.types.named(receiver):
            found = self.function(f"{typ.name}.{method}") if typ.name in self.classes else None
            if found is not None:
                return found[0].qualname
        return ""

    def _store_call(self, call: Call, callee: str, method: StoreMethod, caller: str,
                    file: FileFacts, receiver: str) -> Store | None:
        bound = self.bound(_argument(call, method.value_index, callee, self), file.path)
        if bound is None:
            return None
        key_values = _argument(call, method.key_index, callee, self) \
            if method.key_index is not None else ()
        key, _ = self._key_kind(method.key, key_values, caller)
        return Store(receiver, bound, key, call.site, file, False)

    def lifecycle_managed(self, holder: str) -> bool:
        """An owner closes and resets what the slot holds (a startup/shutdown pair), or a
        coroutine resets its pool (``await engine.dispose()``) when its loop ends."""
        return self.member(holder, self.closed_slots) is not None or self._resets({holder})

    def _resets(self, holders: set[str]) -> bool:
        return any(self.member(h, self.pool_resets) is not None for h in holders)

    @cached_property
    def pool_resets(self) -> set[str]:
        """Slots and containers whose object a coroutine disposes: its next use makes a new
        pool on the loop running then."""
        return {h for file in self.files for values in file.pool_resets
                for h in self.holders(values)}

    def holders(self, values: Values, depth: int = 0) -> set[str]:
        """The slots and containers a value is read from, through the functions that return
        it (``get_engine(url)`` returns ``_ENGINES[url]``)."""
        found: set[str] = set()
        for value in values:
            if value.op is Op.NAME:
                found.add(self.resolve(value.name))
            elif value.op in (Op.ITEM, Op.ELEM, Op.EXCEPT):
                found |= self.holders(value.parts, depth)
            elif value.op is Op.CALL and depth < 2 and (fn := self.function(value.name)):
                found |= self.holders(fn[0].returns, depth + 1)
        return found

    def lazy_instance_stores(self) -> Iterator[tuple[Store, str]]:
        """``if self._c is None: self._c = AsyncClient()`` on an object every loop shares (a
        singleton, a module-level instance), or recreated only when closed: (store, why)."""
        for target, found in self.bindings.items():
            for binding, file in found:
                if binding.kind is not Bind.INSTANCE or binding.lazy is None \
                        or binding.key is not KeyKind.OTHER:
                    continue
                bound = self.bound(binding.values, file.path)
                if bound is None or bound.type == LOOP:
                    continue
                owner = target.rpartition(".")[0]
                if self.lifecycle_managed(target):
                    continue  # the object's own shutdown closes and resets it: a lifecycle
                why = self.long_lived(owner) or (
                    LongLived("recreated only when closed", closed=True)
                    if binding.lazy is not Guard.MISSING else None)
                if why is not None:
                    yield Store(target, bound, binding.key, binding.site, file, True,
                                binding.lazy), why

    def constructor_stores(self) -> Iterator[tuple[Store, LongLived]]:
        """``self.pool = Pool()`` in the constructor of an object every loop shares (a
        singleton, one a framework keeps for the process, one kept in a module global):
        made once with the object, so one for the process: (store, why)."""
        for target, found in self.bindings.items():
            owner = target.rpartition(".")[0]
            for binding, file in found:
                writer = self.functions.get(binding.site.scope)
                if binding.kind is not Bind.INSTANCE or binding.lazy is not None \
                        or binding.key is not KeyKind.OTHER or writer is None \
                        or not writer[0].setup or writer[0].cls != owner:
                    continue
                why = self.long_lived_by_design(owner)
                if why is None or self.lifecycle_managed(target):
                    continue
                bound = self.bound(binding.values, file.path)
                if bound is not None and bound.type != LOOP:
                    yield Store(target, bound, binding.key, binding.site, file, True), why

    def long_lived_by_design(self, cls: str) -> LongLived | None:
        """``long_lived`` for a class one for the process by its own design (a singleton, a
        class a framework keeps), not for one whose instance a slot or a registry keeps:
        that holder is reported itself, and may be keyed by loop."""
        why = self.long_lived(cls)
        return why if why is not None and why in self._by_design else None

    @cached_property
    def _by_design(self) -> frozenset[LongLived]:
        return frozenset(why for cls, why in self._long_lived.items()
                         if cls in self.singletons or any(
                             base in kb.KEPT_BY_FRAMEWORK for base in self.mro(cls)))

    def long_lived_caches(self) -> Iterator[tuple[Store, LongLived]]:
        """``self._clients[key] = AsyncOpenAI()`` in a dict of an object that outlives loops
        (a singleton, a module-level registry): a long-lived cache like a module-level one."""
        for store in self.cache_writes(per_object=True):
            why = self.long_lived(store.holder.rpartition(".")[0])
            if why is not None and not why.closed:
                yield store, why

    def long_lived(self, cls: str) -> LongLived | None:
        """Why instances of ``cls`` (or of a subclass) live as long as the process, or None:
        ``cls``'s own reason, else the first subclass's that ``descendants`` meets."""
        reasons = self._long_lived
        return next((reasons[c] for c in chain((cls,), self.descendants(cls)) if c in reasons),
                    None)

    @cached_property
    def singletons(self) -> frozenset[str]:
        """Classes whose every call returns one instance: marked a singleton (metaclass or
        decorator), or whose ``__new__`` returns an attribute of the class and that has no
        ``__init__`` (which would run again on every call, remaking what it sets)."""
        return frozenset(info.qualname for info in self.classes.values()
                         if _marked_singleton(info) or self._new_returns_slot(info.qualname))

    @cached_property
    def request_handlers(self) -> frozenset[str]:
        """The coroutine functions a server runs per request, on the one loop it serves on:
        those decorated as a route (``@app.get("/x")``), those a framework's route is made of
        by call (``app.add_api_route("/x", h)``, ``Route("/x", h)``; a method of the project's
        own class that takes a function is no route), and the public coroutine methods of a
        class a route is made of (a class-based view) and of a gRPC servicer (a subclass of a
        ``*_pb2_grpc`` module's ``*Servicer``, or the class of an object handed to its
        ``add_*Servicer_to_server``)."""
        servicers = {cls for cls in self.classes if any(map(_generated_servicer, self.mro(cls)))}
        routed: set[str] = set()
        for file in self.files:
            for call, target in file.routes:
                if call and self.function(call) is not None:
                    continue  # the project's own ``add_route``: a table it reads itself
                if (cls := self.resolve(target)) in self.classes:
                    servicers.add(cls)
                elif found := self.function(target):
                    routed.add(found[0].qualname)
        return frozenset(name for name, (fn, _) in self.functions.items() if fn.is_async and (
            name in routed or _routes_requests(fn.decorators)
            or (fn.cls in servicers and not name.rpartition(".")[2].startswith("_"))))

    @cached_property
    def called_at_import(self) -> frozenset[str]:
        """The project functions a module's or a class's own statements call, outside tests:
        they run when the module is imported (or run as a script), on the importing thread."""
        found = set()
        for file in self.files:
            if self.in_tests(file):
                continue
            for name in file.import_calls:
                fn = self.function(name)
                if fn is not None:
                    found.add(fn[0].qualname)
        return frozenset(found)

    @cached_property
    def signal_handlers(self) -> frozenset[str]:
        """The project functions given to ``signal.signal`` or ``add_signal_handler``: they
        run on the main thread, so what they call or schedule with ``create_task`` runs on the
        loop that thread is running, none of their own."""
        found = set()
        for file in self.files:
            for name in file.signal_handlers:
                fn = self.function(name)
                if fn is not None:
                    found.add(fn[0].qualname)
        return frozenset(found)

    def _new_returns_slot(self, cls: str) -> bool:
        new = self.functions.get(f"{cls}.__new__")
        return new is not None and f"{cls}.__init__" not in self.functions and any(
            v.op is Op.NAME and v.name.startswith(f"{cls}.") for v in new[0].returns)

    @cached_property
    def _long_lived(self) -> dict[str, LongLived]:
        found = {cls: LongLived(f"a singleton (`{cls.rsplit('.', 1)[-1]}`)")
                 for cls in self.singletons}
        for cls in self.classes:
            kept = next((kb.KEPT_BY_FRAMEWORK[base] for base in self.mro(cls)
                         if base in kb.KEPT_BY_FRAMEWORK), None)
            if kept is not None:
                found.setdefault(cls, LongLived(kept))
        for target, bindings in self.bindings.items():
            for binding, file in bindings:
                if binding.kind in (Bind.MODULE, Bind.CLASS, Bind.GLOBAL, Bind.CLASS_SLOT) \
                        and not self.is_script(file):
                    for value in binding.values:
                        cls = self.resolve(value.name) if value.op is Op.CALL else ""
                        if cls in self.classes:
                            found.setdefault(cls, LongLived(
                                f"kept {binding.kind.value} as `{short_name(target)}` "
                                f"({file.path}:{binding.site.line})", target))
        found.update(self._kept_in_registries(found))
        return found

    def _kept_in_registries(self, holders: dict[str, LongLived]) -> dict[str, LongLived]:
        """Classes whose instances are stored in a dict of an object that outlives loops
        (``self._tokens[key] = Token()`` on a singleton): kept as long as it is."""
        found: dict[str, LongLived] = {}
        for container, writes in self.items.items():
            owner = container.rpartition(".")[0]
            if container not in self.instance_containers or owner not in holders:
                continue
            for write, file in writes:
                for value in write.values:
                    cls = self.resolve(value.name) if value.op is Op.CALL else ""
                    if cls in self.classes and cls not in holders:
                        found.setdefault(cls, LongLived(
                            f"kept in `{short_name(container)}` ({file.path}:"
                            f"{write.site.line}) of {holders[owner].why}"))
        return found

    def cached_factories(self) -> Iterator[tuple[CachedFactory, FileFacts, Bound]]:
        """Cached factories of what is itself loop-bound, or makes a client of its own: like
        the sources, not of an object that holds one through a chain of holders."""
        for file in self.files:
            for factory in file.cached_factories:
                fn = self.functions.get(factory.qualname)
                bound = (self.returns_bound(*fn) or self._returns_primitive(*fn)) if fn else None
                if bound is not None and bound.direct and not factory.loop_param:
                    yield factory, file, bound

    def _returns_primitive(self, fn: Function, file: FileFacts) -> Bound | None:
        """An asyncio primitive made by a module-level function: cached, it is one object for
        the whole process, like a module-level one (a method's cache holds one per instance)."""
        if fn.cls is not None:
            return None
        for value in fn.returns:
            if value.op is Op.CALL and (made := self.resolve(value.name)) in kb.ASYNCIO_PRIMITIVES:
                return Bound(made, path=file.path, line=value.line)
        return None

    def instance_clients(self) -> Iterator[tuple[str, Binding, FileFacts, Bound]]:
        """Attributes of instances (``self.x = ...``, ``x: T`` fields) that hold loop-bound
        objects: made there, passed in, or used as an async client."""
        for found in self._attributes.values():
            for target in dict.fromkeys(b.target for b, _ in found):
                binding, file = self.bindings[target][0]
                if self._class_level(target) or self.made_per_run(target) \
                        or self.made_again_per_loop(target):
                    continue
                bound = self.target_bound(target)
                if bound is not None and bound.type != LOOP:  # an object may keep its loop
                    yield target, binding, file, bound

    def _class_level(self, target: str) -> bool:
        """Is the attribute given a value on the class itself (``x = v`` in the body, ``C.x =
        v``)? A bare declaration (a dataclass field ``client: AsyncClient``, ``x = None``)
        gives the class nothing to share: each instance's own value is what counts."""
        return any(b.kind in (Bind.CLASS, Bind.CLASS_SLOT) and b.values
                   for b, _ in self.bindings[target])

    def made_again_per_loop(self, target: str) -> bool:
        """Does every method that makes the attribute's object compare the loop it was made
        on with the running one (and make it again when they differ)? Then each loop gets
        its own: the attribute outlives no loop."""
        made = [b for b, _ in self.bindings[target]
                if b.kind is Bind.INSTANCE and any(v.op is Op.CALL for v in b.values)]
        return bool(made) and all(b.key is not KeyKind.OTHER for b in made)

    def made_per_run(self, target: str) -> bool:
        """Is every object an attribute gets made by a coroutine, unconditionally (``async def
        start(self): self._session = ClientSession()``)? Then each run of that coroutine, in
        whatever loop, makes its own: the attribute outlives no loop."""
        found = self._made_per_run.get(target)
        if found is None:
            found = self._made_per_run[target] = self._made_by_each_run(target)
        return found

    def _made_by_each_run(self, target: str) -> bool:
        made = [(b, self.functions.get(b.site.scope)) for b, _ in self.bindings[target]
                if b.kind is Bind.INSTANCE and any(v.op is Op.CALL for v in b.values)]
        return bool(made) and all(fn is not None and fn[0].is_async and b.lazy is None
                                  for b, fn in made)

    @cached_property
    def sources(self) -> dict[str, Source]:
        """Long-lived holders of loop-bound objects, by name. Only what a class makes itself
        counts as loop-bound here: a chain of holders (an object that holds one that holds
        a client, or one annotated as such) is too weak to report."""
        found = {name: source for name, source in self._sources.items()
                 if source.bound is None or source.bound.direct}
        return found

    @cached_property
    def _sources(self) -> dict[str, Source]:
        found: dict[str, Source] = {}
        for binding, file, bound in self.constructs():
            if binding.kind is Bind.DEFAULT:
                continue
            found[binding.target] = self._slot_source(binding, file, bound)
        for binding, file in self.primitives():
            found[binding.target] = Source(HolderKind.PRIMITIVE, binding.target, file.path,
                                           binding.site.line,
                                           self.resolve(binding.values[0].name))
        for store in self.cache_writes():
            if store.key is KeyKind.OTHER:
                found.setdefault(store.holder, Source(HolderKind.CACHE, store.holder,
                                                      store.file.path, store.site.line,
                                                      bound=store.bound))
        for store in self.cache_writes(per_object=True):
            if store.key is KeyKind.OTHER:
                found.setdefault(store.holder, Source(HolderKind.INSTANCE_CACHE, store.holder,
                                                      store.file.path, store.site.line,
                                                      bound=store.bound))
        for f, file, bound in self.cached_factories():
            found[f.qualname] = Source(HolderKind.CACHED_FACTORY, f.qualname, file.path,
                                       f.site.line, f.decorator.rsplit(".", 1)[-1], bound)
        for target, binding, file, bound in self.instance_clients():
            found.setdefault(target, Source(HolderKind.INSTANCE_CLIENT, target, file.path,
                                            binding.site.line, bound=bound))
        for binding, file, bound in self.injected_slots():
            found.setdefault(binding.target, self._slot_source(binding, file, bound))
        return found

    def _slot_source(self, binding: Binding, file: FileFacts, bound: Bound) -> Source:
        """A client held by a module global or a class attribute (or a DI singleton)."""
        kind = HolderKind.SINGLETON_PROVIDER if binding.provider else (
            HolderKind.CLASS_CLIENT if _is_class_attr(binding.target, self.classes)
            else HolderKind.MODULE_CLIENT)
        return Source(kind, binding.target, file.path, binding.site.line, bound=bound)

    def injected_slots(self) -> Iterator[tuple[Binding, FileFacts, Bound]]:
        """Globals and class attributes a function sets from its parameter, when the object
        they hold is used as an async client (``configure(client)`` stores it; coroutines
        await ``_client.chat.completions.create()``): as long-lived as made at import."""
        for target, found in self.bindings.items():
            for binding, file in found:
                if binding.kind.slot and binding.values \
                        and all(v.op is Op.PARAM for v in binding.values) \
                        and (bound := self.target_bound(target)) is not None:
                    yield binding, file, bound
                    break

    def holder(self, name: str, bound: Bound | None = None) -> Source | None:
        """The source a finding's holder is, or one made from where the name is bound."""
        found = self.member(name, self.sources)
        defined = next((b for b in self.bindings_of(name)
                        if b[0].kind in (Bind.MODULE, Bind.CLASS)), None)
        if found is not None and defined is None:
            return self.sources[found]
        if found is not None:  # where the cache is defined, rather than a write into it
            return replace(self.sources[found], path=defined[1].path, line=defined[0].site.line)
        if defined is None:
            return None
        return Source(HolderKind.CACHE, self.resolve(name), defined[1].path,
                      defined[0].site.line, bound=bound)

    # -- reach ---------------------------------------------------------------------------

    def ref_sources(self, ref: str) -> frozenset[Source]:
        """Sources a single mentioned name reaches: a source itself, or a function's reach."""
        sources, functions = self.denotes(ref)
        return sources.union(*(self.reach.get(f, frozenset()) for f in functions))

    def value_sources(self, ref: str) -> frozenset[Source]:
        """Sources an object is: a source itself, or what a factory returning a loop-bound
        object hands out (``get_client()``), but not any function's result (data)."""
        sources, functions = self.denotes(ref)
        reached = [self.reach.get(f, frozenset()) for f in functions
                   if self.returns_bound(*self.functions[f]) is not None]
        return sources.union(*reached)

    def denotes(self, ref: str, depth: int = 0,
                sources: bool = True) -> tuple[frozenset[Source], frozenset[str]]:
        """The sources and functions a dotted name may mean: through re-exports, base
        classes, overriding methods, and attributes whose type is a project class.
        (``sources=False``: functions only, for what the sources themselves depend on.)"""
        key = (ref, sources)
        found = self._denoted.get(key) if depth == 0 else None
        if found is None:
            found, complete = self.types.completely(lambda: self._denote(ref, depth, sources))
            if depth == 0 and complete:  # not what a cycle or the depth limit cut short
                self._denoted[key] = found
        return found

    @cached_property
    def _denoted(self) -> dict[tuple[str, bool], tuple[frozenset[Source], frozenset[str]]]:
        return {}

    def _denote(self, ref: str, depth: int, sources: bool,
                types: bool = True) -> tuple[frozenset[Source], frozenset[str]] | None:
        """(``types=False``: None where the answer would depend on what attributes hold.)"""
        key = (ref, sources, depth < _MAX_DENOTE_DEPTH)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._plan(ref, depth, sources)
        how, found, prefix, rest = plan
        if how is _SOURCE:
            return self._sync_method_of(prefix, rest, depth) or found
        if how is _THROUGH:
            return self._through_types(prefix, rest, depth, sources) if types else None
        return found

    def _plan(self, ref: str, depth: int, sources: bool) -> tuple:
        """What ``_denote`` does with a name, from the join's names alone (kept: asked
        hundreds of thousands of times, and the same for every depth below the limit): the
        answer itself, or the prefix and the rest it looks up through a source's or an
        attribute's types, which it asks again each time."""
        owner, _, last = ref.rpartition(".")
        if last == ANY_METHOD and self.resolve(owner) in self.classes:
            return (_FOUND, (frozenset(), frozenset(self._coroutine_methods(self.resolve(owner)))),
                    "", ())
        parts = self.resolve(ref).split(".")
        for cut in range(len(parts), 1, -1):
            prefix = ".".join(parts[:cut])
            source = self.member(prefix, self.sources) if sources else None
            if source is not None:
                return (_SOURCE, (frozenset({self.sources[source]}), frozenset()), prefix,
                        tuple(parts[cut:]))
            fn = self.function(prefix)
            if fn is not None:
                return _FOUND, (frozenset(), frozenset(self.overrides(fn[0].qualname))), "", ()
            if depth < _MAX_DENOTE_DEPTH and cut < len(parts) \
                    and self.member(prefix, self.bindings) is not None:
                return _THROUGH, None, prefix, tuple(parts[cut:])
        return _FOUND, (frozenset(), frozenset()), "", ()

    def _sync_method_of(self, prefix: str, rest: tuple[str, ...], depth: int
                        ) -> tuple[frozenset[Source], frozenset[str]] | None:
        """``self.client.register(x)`` where ``client`` holds a project class whose
        ``register`` is a plain ``def`` that returns nothing: the call runs that method, it
        neither hands the object to a loop nor gives it back; what the method reaches is its
        own."""
        if not rest or depth >= _MAX_DENOTE_DEPTH or self.member(prefix, self.bindings) is None:
            return None
        found, functions = self._through_types(prefix, rest, depth, True)
        if found or not functions or any(self.functions[name][0].is_async
                                         or self.functions[name][0].returns
                                         for name in functions):
            return None
        return found, functions

    def _coroutine_methods(self, cls: str) -> list[str]:
        """The ``async def`` methods of a class and its bases."""
        return [name for name in self.methods(cls) if self.functions[name][0].is_async]

    def methods(self, cls: str) -> list[str]:
        """The methods of a class and its bases, by qualified name."""
        return [name for base in self.mro(cls) for name in self._methods.get(base, ())]

    @cached_property
    def _methods(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for name, (fn, _) in self.functions.items():
            if fn.cls is not None and name == f"{fn.cls}.{name.rsplit('.', 1)[-1]}":
                found[fn.cls].append(name)
        return found

    def _through_types(self, prefix: str, rest: tuple[str, ...], depth: int, sources: bool):
        """``self.model.stream`` where ``self.model`` holds a ``Model``: ``Model.stream``."""
        found: set[Source] = set()
        functions: set[str] = set()
        for typ in self.types.named(self.resolve(prefix)):
            if typ.name in self.classes:
                s, f = self.denotes(".".join([typ.name, *rest]), depth + 1, sources)
                found |= s
                functions |= f
        return frozenset(found), frozenset(functions)

    @cached_property
    def reach(self) -> dict[str, frozenset[Source]]:
        """Every function's reachable sources, through the call graph (a fixpoint)."""
        direct: dict[str, set[Source]] = defaultdict(set)
        callers: dict[str, set[str]] = defaultdict(set)
        own_loop_threads = self._own_loop_threads
        for name, (fn, _) in self.functions.items():
            handed_on = self._handed_on(fn)
            for ref in fn.refs:
                sources, functions = self.denotes(ref)
                direct[name] |= sources
                for callee in functions:
                    if (name, callee) not in own_loop_threads and callee not in handed_on:
                        callers[callee].add(name)
        reach = {name: set(found) for name, found in direct.items() if found}
        pending = list(reach)
        while pending:
            callee = pending.pop()
            for caller in callers.get(callee, ()):
                gained = reach[callee] - reach.setdefault(caller, set())
                if gained:
                    reach[caller] |= gained
                    pending.append(caller)
        return {name: frozenset(found) for name, found in reach.items()}

    def _handed_on(self, fn: Function) -> set[str]:
        """Coroutine functions a sync function passes on as arguments and never calls (a
        callback it registers): it cannot await them, so they do not run on its caller's loop."""
        if fn.is_async:
            return set()
        passed = {name for call in fn.calls
                  for arg in [*call.args, *(ref for _, ref in call.kwargs)]
                  for value in arg.values for name in self.denotes(value, sources=False)[1]}
        passed = {name for name in passed if self.functions[name][0].is_async}
        if passed:
            passed -= {callee for call in fn.calls for callee in self._callee(call.callee)}
        return passed

    @cached_property
    def _own_loop_threads(self) -> frozenset[tuple[str, str]]:
        """(submitter, target) of a thread whose target runs its own loop (``asyncio.run``
        in the thread): what that loop uses is not used by the submitter's loop."""
        found = set()
        for submit, _ in self.thread_submits():
            target = self.function(submit.target)
            if target is not None and any(start.fresh_loop or start.per_thread
                                          for start in target[0].loop_starts):
                found.add((submit.submitter, target[0].qualname))
        return frozenset(found)

    def evaluate(self, coro: CoroRef) -> frozenset[Source]:
        """Sources a coroutine expression reaches, following parameters to their callers."""
        return frozenset(self.trace(coro))

    def trace(self, coro: CoroRef) -> dict[Source, str]:
        """Sources a coroutine expression reaches -> the call site (``path:line``) whose
        argument leads there when it comes through a parameter ("" when it is right here)."""
        found = self._traced.get(coro)
        if found is None:
            found = self._traced[coro] = self._trace(coro, frozenset(), True)
        return found

    @cached_property
    def _traced(self) -> dict[CoroRef, dict[Source, str]]:
        return {}

    def _trace(self, coro: CoroRef, seen: frozenset[tuple[str, int]],
               runs: bool) -> dict[Source, str]:
        """``runs=False``: the expression is only handed to a coroutine as a value."""
        found = dict.fromkeys(self._here(coro, runs), "")
        for param in coro.params:
            key = (param.function, param.index)
            if not self.callers.get(param.function) and not self.decorated.get(param.function):
                found.update(dict.fromkeys(self._passed_in(param) - found.keys(), ""))
            elif len(seen) < _MAX_PARAM_DEPTH and key not in seen:
                passed: dict[Source, str] = {}
                for arg, site, caller in self._arguments_from(param):
                    if param.called:  # the callable passed in is what runs
                        arg = replace(arg, runs=arg.runs | arg.values, values=frozenset())
                    for source, via in self._trace(arg, seen | {key}, runs and param.runs).items():
                        if not self._refused(caller, source):
                            passed.setdefault(source, via or site)
                if not passed and (site := self._passes_long_lived(param)):
                    passed = dict.fromkeys(self._passed_in(param), site)
                found = {**passed, **found}
        return found

    def _passes_long_lived(self, param: Param) -> str:
        """``path:line`` of a call that passes, for ``param``, an object bound to a name that
        outlives the call (a global, an attribute: ``self.client``), or ""."""
        for call, path in self.callers.get(param.function, ()):
            if isinstance(call, Call) and call.site is not None and any(
                    v.op is Op.NAME for v in _argument(call, param.index, param.function, self)):
                return f"{path}:{call.site.line}"
        return ""

    def _passed_in(self, param: Param) -> set[Source]:
        """The client a parameter is (annotated as one, or used as one), for a parameter whose
        object outlives the loop: passed by callers outside the scanned code, or bound to a
        long-lived name at a call site. Only the object itself: a holder passed in (``server:
        Server``) shares only the attributes that outlive a loop, which its methods reach."""
        found: set[Source] = set()
        for annotation in param.annotation:
            bound = self.types.typ_bound_name(self.resolve(annotation))
            if bound is not None and bound.direct and not bound.holds:
                found.add(Source(HolderKind.PASSED_IN, bound.type, "", 0, bound=bound))
        use = self.async_params.get((param.function, param.index))
        if use is not None and not param.runs:
            found.add(Source(HolderKind.PASSED_IN, use[0].how, use[1], use[0].site.line))
        return found

    def _here(self, coro: CoroRef, runs: bool) -> set[Source]:
        found: set[Source] = set()
        for ref in coro.runs if runs else ():
            found |= self.ref_sources(ref)
        for ref in [*coro.values, *(() if runs else coro.runs)]:
            found |= self.value_sources(ref)
        fresh = {self.resolve(c) for c in coro.fresh_classes} - self.singletons
        for _ in range(_MAX_MADE_BY_DEPTH):  # and what those make, their own again
            more = self._made_by(fresh) - self.singletons - fresh
            if not more:
                break
            fresh |= more
        held = self._held_classes(coro, runs)
        found = {s for s in found if not s.per_instance or (
            (owner := s.name.rsplit(".", 1)[0]) not in fresh
            and (owner in held or self.long_lived(owner) is not None))}
        for ctor in coro.shared_ctors:
            if (bound := self.types.typ_bound_name(self.resolve(ctor))) and bound.direct:
                found.add(Source(HolderKind.SHARED, bound.type, "", 0, bound=bound))
            found |= self.constructor_primitives(self.resolve(ctor))
        return found

    def constructor_primitives(self, cls: str) -> frozenset[Source]:
        """The asyncio primitives an object of ``cls`` holds from the moment it is made: made
        by a constructor (``self._semaphore = asyncio.Semaphore(n)`` in ``__init__``), of the
        class or of the objects its attributes hold, and used by their coroutines. An object
        kept across loops carries them into each."""
        if cls not in self.classes:
            return frozenset()
        return frozenset(source for owner in self.held_by(cls)
                         for source in self._constructor_primitives.get(owner, ()))

    @cached_property
    def _constructor_primitives(self) -> dict[str, list[Source]]:
        used = {ref for fn, _ in self.functions.values() if fn.is_async for ref in fn.refs}
        found: dict[str, list[Source]] = defaultdict(list)
        for target, bindings in self.bindings.items():
            if target not in used:
                continue
            written = [(b, f) for b, f in bindings if b.kind is Bind.INSTANCE]
            if len(written) != 1 or (binding := written[0][0]).lazy is not None \
                    or not binding.values or binding.values[0].op is not Op.CALL:
                continue  # set again elsewhere (each run, a reset): not made once
            typ = self.resolve(binding.values[0].name)
            maker = self.functions.get(binding.site.scope)
            if typ in kb.ASYNCIO_PRIMITIVES and maker is not None and maker[0].setup:
                found[target.rpartition(".")[0]].append(Source(
                    HolderKind.KEPT, target, written[0][1].path, binding.site.line,
                    typ.rsplit(".", 1)[-1]))
        return found

    def _made_by(self, classes: set[str]) -> set[str]:
        """The classes whose instances these classes' own attributes are made as, every
        binding of the attribute a constructor call (``self.client = Client()``): an object
        made right here makes its own, not shared with any other instance."""
        made: set[str] = set()
        for cls in classes:
            by_attribute: dict[str, list[Value]] = defaultdict(list)
            for binding, _ in self.attributes_of(cls):
                by_attribute[binding.target].extend(binding.values)
            for values in by_attribute.values():
                made |= self._constructed(values)
        return made

    def _constructed(self, values: list[Value]) -> set[str]:
        """The project classes ``values`` are all made as (an annotation naming one of them
        aside), or nothing when any is not a constructor call."""
        ctors = {self.resolve(v.name) for v in values if v.op is Op.CALL}
        if not ctors or not ctors <= self.classes.keys():
            return set()
        if all(v.op is Op.CALL or (v.op is Op.ANNOTATED and self.resolve(v.name) in ctors)
               for v in values):
            return ctors
        return set()

    def _held_classes(self, coro: CoroRef, runs: bool) -> set[str]:
        """Classes whose instances a coroutine works on: those of the methods it runs (the
        ``self`` that outlives the loop), of the objects handed to it, and what their
        attributes hold, with base classes and subclasses. An attribute of any other
        instance belongs to an object the coroutine makes for itself."""
        roots = {self.resolve(a) for a in coro.annotated}
        for ref in [*(coro.runs if runs else ()), *coro.values]:
            for name in self.denotes(ref, sources=False)[1]:
                if (cls := self.functions[name][0].cls) is not None:
                    roots.add(cls)
            if (owner := self.resolve(ref).rpartition(".")[0]) in self.classes:
                roots.add(owner)
        return self._with_held(roots)

    def held_by(self, cls: str | None) -> set[str]:
        """A class, its bases and subclasses, and the classes its attributes hold."""
        return self._with_held({cls}) if cls else set()

    def _with_held(self, roots: set[str]) -> set[str]:
        """Each class at the fewest steps through attributes and subclasses it takes to
        reach it (at most two): the same set whatever order they are met in."""
        steps: dict[str, int] = {}
        pending = [(cls, 0) for cls in sorted(roots) if cls in self.classes]  # (join's order)
        while pending:
            cls, depth = pending.pop()
            if steps.get(cls, depth + 1) <= depth:
                continue
            steps[cls] = depth
            related = [*self.mro(cls), *self.subclasses.get(cls, ())]
            if depth < 2:
                related += [t.name for b, f in self.attributes_of(cls)
                            for t in self.types.of_all(b.values, f.path)]
            pending += [(c, depth + (c not in self.mro(cls))) for c in related
                        if c in self.classes and steps.get(c, depth + 2) > depth]
        return set(steps)

    def arguments(self, param: Param) -> Iterator[tuple[CoroRef, str]]:
        """What callers (and thread submissions) pass for one parameter, and where; for the
        first parameter of a decorator, the functions it decorates."""
        yield from ((ref, site) for ref, site, _ in self._arguments_from(param))

    def _arguments_from(self, param: Param) -> Iterator[tuple[CoroRef, str, str]]:
        """``arguments``, each with the function that passes it ("" for a decorator's)."""
        for call, path in self.callers.get(param.function, ()):
            site = f"{path}:{call.site.line}" if call.site is not None else ""
            scope = call.site.scope if call.site is not None else ""
            yield from ((ref, site, scope) for ref in self.passed(call, param))
        fn = self.functions.get(param.function)
        if param.index == 0 and (fn is None or fn[0].cls is None):
            for decorated in self.decorated.get(param.function, ()):
                yield CoroRef(runs=frozenset({decorated.function})), decorated.site, ""

    def _refused(self, caller: str, source: Source) -> bool:
        """The caller refuses, before it passes anything on, what ``source`` is: an attribute
        it tests with ``if isinstance(self.db, AsyncDb): raise``, as that class."""
        fn = self.functions.get(caller)
        if fn is None or not fn[0].refuses or source.bound is None:
            return False
        kinds = {self.resolve(kind) for kind in (source.bound.via, source.bound.type) if kind}
        ancestors = {base for kind in kinds for base in self.mro(kind)} | kinds
        holder = self.resolve(source.name)
        return any(self.resolve(attr) == holder and self.resolve(cls) in ancestors
                   for attr, cls in fn[0].refuses)

    def refused_when_given(self, coro: CoroRef, line: int, source: Source) -> bool:
        """The function whose parameter carries ``coro`` refuses, before ``line``, to go on
        when another of its parameters was given (``if session is not None: raise``), and
        every call that hands it a coroutine reaching ``source`` hands it, for that parameter,
        that client too (the caller's own ``session: AsyncClient``): past the test, no
        coroutine that reaches the client is there."""
        for param in coro.params:
            found = self.functions.get(param.function)
            guards = [replace(param, index=index, name=found[0].params[index])
                      for index, at in (found[0].refuses_given if found else ()) if at < line]
            if not guards:
                continue
            carriers = [call for call, _ in self.callers.get(param.function, ())
                        if any(source in self.trace(ref) for ref in self.passed(call, param))]
            if carriers and all(any(source in self._passed_in(given)
                                    for guard in guards for ref in self.passed(call, guard)
                                    for given in ref.params) for call in carriers):
                return True
        return False

    def passed(self, call: Call | ThreadSubmit, param: Param) -> Iterator[CoroRef]:
        """What one call passes for a parameter, by position or by keyword."""
        fn = self.functions.get(param.function)
        is_method = fn is not None and fn[0].cls is not None
        index = param.index - 1 if is_method and call.bound else param.index
        if 0 <= index < len(call.args) and (fn is None or fn[0].by_position(param.index)):
            yield call.args[index]
        yield from (ref for name, ref in call.kwargs if name == param.name)

    @cached_property
    def decorated(self) -> dict[str, list[Decorated]]:
        """Decorator functions -> what they decorate: ``@sync`` passes the function to
        ``sync``, ``@sync(timeout=3)`` to the function ``sync`` defines and returns. Entry
        points (``main``, CLI commands, tests) run once per process and are left out."""
        found: dict[str, list[Decorated]] = defaultdict(list)
        for fn, file in self.functions.values():
            if not fn.decorators or fn.entry_point or self._called_once(fn.qualname):
                continue
            for name in fn.decorators:
                decorator = self.resolve(name.removesuffix("()"))
                targets = [decorator] if not name.endswith("()") else [
                    inner for inner in self._nested.get(decorator, ())]
                for target in targets:
                    found[target].append(Decorated(
                        name.removesuffix("()").rsplit(".", 1)[-1], fn.qualname,
                        f"{file.path}:{fn.site.line}"))
        for cls in self.classes.values():
            for decorator in cls.decorators:
                for maker in self._wrapper_makers(self.resolve(decorator)):
                    found[maker] += [
                        Decorated(decorator.rsplit(".", 1)[-1], method,
                                  f"{self.functions[method][1].path}:"
                                  f"{self.functions[method][0].site.line}")
                        for method in self._methods.get(cls.qualname, ())
                        if self.functions[method][0].is_async]
        return found

    def _wrapper_makers(self, decorator: str) -> set[str]:
        """A class decorator that rewraps every method hands each one to the functions it
        defines or calls (``setattr(cls, name, sync(method))``)."""
        if decorator not in self.functions:
            return set()
        inside = [decorator, *self._nested.get(decorator, ())]
        return {*inside, *(found[0].qualname for name in inside
                           for ref in self.functions[name][0].refs
                           if (found := self.function(ref)) is not None)}

    def _called_once(self, name: str) -> bool:
        """Is a function called, and only from entry points (``main``, CLI commands,
        tests), which run once per process?"""
        sites = [call.site for call, _ in self.callers.get(name, ()) if call.site is not None]
        return bool(sites) and all(
            (caller := self.functions.get(site.scope)) is not None and caller[0].entry_point
            for site in sites)

    @cached_property
    def _nested(self) -> dict[str, list[str]]:
        """Functions -> the functions defined directly in them."""
        found: dict[str, list[str]] = defaultdict(list)
        for name in self.functions:
            outer, marker, inner = name.rpartition(".<locals>.")
            if marker and "." not in inner:
                found[outer].append(name)
        return found

    def decoration(self, site: str) -> Decorated | None:
        """The decorated function whose definition is at ``path:line``, if one is."""
        return self._decorations.get(site)

    @cached_property
    def _decorations(self) -> dict[str, Decorated]:
        return {d.site: d for found in self.decorated.values() for d in found}

    def argument_values(self, function: str, index: int) -> Iterator[tuple[Values, str]]:
        """What callers pass for one parameter, as values (with the caller's path); calls
        that pass only constants, or nothing, give none."""
        fn = self.functions.get(function)
        if fn is None:
            return
        name = fn[0].params[index]
        is_method = fn[0].cls is not None
        for call, path in self.callers.get(function, ()):
            if not isinstance(call, Call) or not call.carries:
                continue
            at = index - 1 if is_method and call.bound else index
            if 0 <= at < len(call.values) and fn[0].by_position(index):
                yield call.values[at], path
            yield from ((values, path) for kw, values in call.kwvalues if kw == name)

    def _callee(self, name: str) -> list[str] | tuple[str, ...]:
        """The functions a call of ``name`` may run: a class runs its ``__init__``."""
        return self._callees((name, False), self._init_of(name))

    def _callees(self, key: tuple[str, bool], init: str | None) -> list[str] | tuple[str, ...]:
        """``_callee`` of ``key[0]``, whose ``_init_of`` is ``init``."""
        if init is not None:
            return (init,) if init else ()
        entry = self._denoted.get(key)
        if entry is None:
            return sorted(self.denotes(key[0], sources=False)[1])
        memo = self._sorted_callees.get(key[0])
        if memo is None or memo[0] is not entry:
            memo = self._sorted_callees[key[0]] = (entry, tuple(sorted(entry[1])))
        return memo[1]

    def _as_bound(self, call: Call) -> Call:
        """A call of a class ``C(x)`` passes ``x`` to ``C.__init__`` as parameter 1."""
        return call if call.bound or not self._init_of(call.callee) else replace(call, bound=True)

    def _init_of(self, name: str) -> str | None:
        """A class's ``__init__`` ("" when it has none) or, for anything else, None."""
        if name not in self._inits:
            resolved = self.resolve(name)
            init = self.function(f"{resolved}.__init__") if resolved in self.classes else None
            self._inits[name] = None if resolved not in self.classes \
                else init[0].qualname if init else ""
        return self._inits[name]

    @cached_property
    def callers(self) -> dict[str, list[tuple[Call | ThreadSubmit, str]]]:
        """Calls (and thread submissions) of each function, with the caller's path.

        The join's questions ask for it while it is built, so it may be built again inside
        itself. Most calls' callees follow from names alone (``_static_calls``); only the
        others (through what an attribute holds) are looked up at each build, and a build
        inside another starts where that one is, from a copy of what it found. Those of them
        whose arguments carry nothing (``self.store.close()``: an edge, no parameter flow) are
        looked up last, once, against what the others found: what a lookup asks of callers is
        what they pass, which such a call adds nothing to, so it never nests a build."""
        if self._callers_building:
            return self._callers_passing()
        if self._edges_building is not None:
            return self._edges_building
        found = self._edges_building = self._callers_passing()
        edges: dict[str, list[tuple[Call | ThreadSubmit, str]]] = defaultdict(list)
        try:
            for _, key, call, path in self._static_calls[2]:
                for callee in self._callees(key, None):
                    edges[callee].append((call, path))
        finally:
            self._edges_building = None
        merged = defaultdict(list, found)
        for callee, entries in edges.items():
            merged[callee] = [*found.get(callee, ()), *entries]
        return merged

    def _callers_passing(self) -> dict[str, list[tuple[Call | ThreadSubmit, str]]]:
        """``callers`` without the calls looked up last: those whose callee needs what an
        attribute holds and whose arguments carry nothing."""
        static, dynamic, _ = self._static_calls
        outer = self._callers_building[-1] if self._callers_building else None
        found = defaultdict(list, {k: list(v) for k, v in outer[0].items()}) if outer else \
            defaultdict(list)
        progress = [found, outer[1] if outer else 0]
        self._callers_building.append(progress)
        try:
            while progress[1] < len(dynamic):
                index, key, call, path = dynamic[progress[1]]
                for callee in self._callees(key, None):
                    found[callee].append((index, call, path))
                progress[1] += 1
        finally:
            self._callers_building.pop()
        merged = defaultdict(list, self._static_callers)  # lists shared: nobody changes them
        for callee, entries in found.items():
            calls = heapq.merge(static.get(callee, ()), entries, key=lambda e: e[0])
            merged[callee] = [e[1:] for e in calls] + self._submits.get(callee, [])
        return merged

    def every_caller(self, name: str, settled: Callable[[str], bool | None],
                     callers_of: Callable[[str], list[str]], levels: int,
                     recursion: bool = True) -> bool:
        """Does every way up from the function ``name``, through ``callers_of`` each
        function, end where ``settled`` says True? ``settled(f)``: True or False decides
        ``f``, None asks its callers; a function with none, or ``levels`` callers above
        ``name``, is False. A caller already on the way up (recursion, an override calling
        ``super()``) says ``recursion``: True, nothing new; False, the walk fails."""
        return self._every_caller(name, settled, callers_of, levels, recursion, frozenset())

    def _every_caller(self, name: str, settled: Callable[[str], bool | None],
                      callers_of: Callable[[str], list[str]], levels: int, recursion: bool,
                      path: frozenset[str]) -> bool:
        verdict = settled(name)
        if verdict is not None:
            return verdict
        callers = callers_of(name)
        if not callers or levels <= 0:
            return False
        path = path | {name}
        return all(recursion if caller in path else self._every_caller(
            caller, settled, callers_of, levels - 1, recursion, path) for caller in callers)

    def calling_scopes(self, name: str) -> list[str]:
        """The functions (and module top levels) whose calls of ``name`` the join sees."""
        return [call.site.scope for call, _ in self.callers.get(name, ()) if call.site]

    @cached_property
    def _static_callers(self) -> dict[str, list[tuple[Call | ThreadSubmit, str]]]:
        """``callers`` of the calls whose callees follow from names alone."""
        found = {c: [e[1:] for e in entries] for c, entries in self._static_calls[0].items()}
        for callee, submits in self._submits.items():
            found[callee] = found.get(callee, []) + submits
        return found

    @cached_property
    def _static_calls(self) -> tuple[dict[str, list[tuple[int, Call, str]]],
                                     list[tuple[int, tuple[str, bool], Call, str]],
                                     list[tuple[int, tuple[str, bool], Call, str]]]:
        """The calls whose callees follow from names alone, by callee; the others whose
        arguments carry something; the others (only an edge); each with its index among
        ``_calls``."""
        static: dict[str, list[tuple[int, Call, str]]] = defaultdict(list)
        dynamic, edges = [], []
        for index, (key, init, call, path) in enumerate(self._calls):
            if init is not None:
                callees = (init,) if init else ()
            elif isinstance(call, Call) and call.through_super:
                found = self.function(key[0])  # the base's own method, not its overrides
                callees = (found[0].qualname,) if found else ()
            elif (named := self._denote(key[0], 0, False, types=False)) is not None:
                callees = sorted(named[1])
            else:
                (dynamic if call.carries else edges).append((index, key, call, path))
                continue
            for callee in callees:
                static[callee].append((index, call, path))
        return static, dynamic, edges

    @cached_property
    def _submits(self) -> dict[str, list[tuple[ThreadSubmit, str]]]:
        found: dict[str, list[tuple[ThreadSubmit, str]]] = defaultdict(list)
        for submit, file in self.thread_submits():
            callee = self.function(submit.target)
            if callee is not None:
                found[callee[0].qualname].append((submit, file.path))
        return found

    @cached_property
    def _calls(self) -> list[tuple[tuple[str, bool], str | None, Call, str]]:
        """Every call in a function: its callee's key in ``_denoted``, the ``_init_of`` its
        callee, the call as bound, and the caller's path."""
        return [((call.callee, False), self._init_of(call.callee), self._as_bound(call),
                 file.path) for fn, file in self.functions.values() for call in fn.calls]

    @cached_property
    def async_uses(self) -> dict[str, tuple]:
        """Names (globals, attributes) used as only an async client is: name -> (use, path)."""
        found: dict[str, tuple] = {}
        for file in self.files:
            for use in file.async_uses:
                for value in use.values:
                    if value.op is Op.NAME:
                        found.setdefault(self.resolve(value.name), (use, file.path))
        return found

    @cached_property
    def async_params(self) -> dict[tuple[str, int], tuple]:
        found: dict[tuple[str, int], tuple] = {}
        for file in self.files:
            for use in file.async_uses:
                for value in use.values:
                    if value.op is Op.PARAM:
                        found.setdefault((value.name, value.index), (use, file.path))
        return found

    # -- threads -------------------------------------------------------------------------

    def thread_submits(self) -> Iterator[tuple[ThreadSubmit, FileFacts]]:
        for file in self.files:
            for submit in file.thread_submits:
                yield submit, file

    def thread_targets(self) -> list[ThreadTarget]:
        """The functions a worker thread starts in: each target handed to a thread (in
        submit order), then ``run`` of each ``threading.Thread`` subclass."""
        found = []
        for submit, file in self.thread_submits():
            target = self.function(submit.target)
            if target is not None:
                found.append(ThreadTarget(target[0], submit.submitter, file.path,
                                          submit.site.line))
        for cls in self.classes.values():
            if any(self.resolve(b) in kb.THREAD_CLASSES for b in cls.bases):
                run = self.functions.get(f"{cls.qualname}.run")
                if run is not None:
                    found.append(ThreadTarget(run[0], "", run[1].path, run[0].site.line))
        return found

    @cached_property
    def thread_run(self) -> dict[str, frozenset[str]]:
        """Functions executed by a worker thread -> the functions that submitted them.

        A sync function called from a thread-run function runs in that thread too.
        """
        found: dict[str, set[str]] = defaultdict(set)
        for target in self.thread_targets():
            found[target.function.qualname].add(target.submitter)
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

    def attribute_named(self, ref: str) -> str | None:
        """The attribute binding a reference names through an instance (``obj.lock`` where
        ``obj`` is what a getter returns), when not by its own name."""
        found = self.member(ref, self.bindings)
        return found if found != self.resolve(ref) else None

    def async_users(self, name: str) -> list[Function]:
        """Coroutine functions that mention a module-level name."""
        return self._async_users.get(name, [])

    @cached_property
    def _async_users(self) -> dict[str, list[Function]]:
        users: dict[str, list[Function]] = defaultdict(list)
        for fn, _ in self.functions.values():
            if fn.is_async:
                names = self.names_in(fn) | (
                    {self.attribute_named(r) for r in fn.refs} - {None})
                for name in names:
                    users[name].append(fn)
        return users


def _top(name: str) -> str:
    """A dotted name's top-level module, as imports name it (``app@chat.x`` -> ``app``)."""
    return name.partition(".")[0].partition(TAG)[0]


def is_test_module(module: str, path: str) -> bool:
    """A test module or a helper of a test package (by its module name, not where the
    project happens to be checked out)."""
    parts = untagged(module).split(".")
    name = PurePosixPath(path).name
    return bool(_TEST_DIRS & set(parts[:-1])) or parts[-1].startswith("test_") \
        or name.endswith("_test.py") or name == "conftest.py"


@dataclass(frozen=True)
class ThreadTarget:
    """A function a worker thread starts in, and where that thread is started."""

    function: Function
    submitter: str  # the function that hands it to the thread ("" for a Thread's ``run``)
    path: str
    line: int


def _made_taker(project: Project, binding: Binding, takers: dict[str, Bound]) -> Bound | None:
    """``self.queue = LogQueue()`` where ``LogQueue.__init__`` takes the loop: what it takes,
    held by ``LogQueue``."""
    for value in binding.values:
        if value.op is Op.CALL and not value.index \
                and (taken := takers.get(project.resolve(value.name))) is not None:
            return replace(taken, via=project.resolve(value.name), holds=True, direct=False)
    return None


def takes_loop_when_made(name: str, primitives: frozenset[str] = kb.WAITING_PRIMITIVES) -> bool:
    """Another library's constructor known to take the loop, or an asyncio primitive: for an
    object's attribute, one that waits on that loop in ordinary use (a Lock only under
    contention); ``primitives`` says which."""
    return name in kb.TAKE_LOOP_WHEN_MADE or name in primitives


def takes_loop_before_310(bound: Bound) -> bool:
    """An asyncio primitive: bound when made only up to Python 3.9."""
    return bound.type in kb.ASYNCIO_PRIMITIVES


def _binds_when_made(name: str) -> bool:
    return name in kb.BIND_AT_CREATION or (
        name.startswith(kb.BIND_AT_CREATION_PACKAGES) and name.endswith("AsyncClient"))


def short_name(name: str) -> str:
    """``pkg.mod.Cls.attr`` as ``Cls.attr``: the last two parts of a dotted name."""
    return ".".join(name.split(".")[-2:]) if name.count(".") > 1 else name


def _routes_requests(decorators: tuple[str, ...]) -> bool:
    return any(d.endswith("()") and d[:-2].rpartition(".")[2] in kb.ROUTE_DECORATOR_METHODS
               for d in decorators)


def _generated_servicer(cls: str) -> bool:
    module, _, name = cls.rpartition(".")
    return untagged(module).endswith(kb.GRPC_MODULE_SUFFIX) \
        and name.endswith(kb.GRPC_SERVICER_SUFFIX)


def _marked_singleton(info: ClassInfo) -> bool:
    marks = [info.metaclass or "", *info.decorators]
    return any("singleton" in mark.rsplit(".", 1)[-1].lower() for mark in marks)


def _is_class_attr(target: str, classes: dict[str, ClassInfo]) -> bool:
    return target.rpartition(".")[0] in classes


@dataclass(frozen=True)
class LongLived:
    """Why the objects of a class outlive loops; ``holder``: the name that keeps one."""

    why: str
    holder: str = ""
    closed: bool = False  # not known to outlive loops: only recreated when closed


@dataclass(frozen=True)
class Decorated:
    """A function a project decorator wraps: ``@decorator`` on ``function`` at ``site``."""

    decorator: str
    function: str
    site: str  # path:line of the decorated function


@dataclass(frozen=True)
class StoreMethod:
    """A function that stores parameter ``value_index`` in ``container``, keyed as ``key``
    says or by parameter ``key_index`` (its callers then decide the key)."""

    container: str
    value_index: int
    key: KeyKind
    key_index: int | None


def private(fn: Function) -> bool:
    """Of a private module or class, or named ``_x`` (its class's name, for a constructor)."""
    return any(part.startswith("_") and not part.startswith("__")
               for part in _used_name(fn).split("."))


def _used_name(fn: Function) -> str:
    """The name code uses ``fn`` by: its class's, for a constructor."""
    return fn.cls if fn.setup and fn.cls else fn.qualname


def _instance_method(fn: Function) -> bool:
    """A method called through an instance: its receiver is ``self`` (``cls`` for a class
    method, none for a static one)."""
    return fn.cls is not None and fn.params[:1] == ("self",)


def _argument(call: Call, index: int, callee: str, project: Project) -> Values:
    """The values a call passes for the callee's parameter ``index`` (by position or name)."""
    fn = project.functions.get(callee)
    if fn is None or index >= len(fn[0].params):
        return ()
    at = index - 1 if fn[0].cls is not None and call.bound else index
    if 0 <= at < len(call.values) and fn[0].by_position(index):
        return call.values[at]
    name = fn[0].params[index]
    return next((values for kw, values in call.kwvalues if kw == name), ())
