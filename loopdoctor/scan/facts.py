"""Per-file facts: what one module defines, constructs, caches, submits to threads and runs.

The project-wide join (``project.py``) connects these facts across files; the rules read
both. Everything here is derived from ``FileContext`` and pickles into the cache.
"""

from __future__ import annotations

import ast
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import NamedTuple
from weakref import WeakKeyDictionary

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.context import (
    CallAt,
    FileContext,
    Scope,
    catches,
    catches_runtime_error,
    method_name,
)
from loopdoctor.scan.coro import coro_ref
from loopdoctor.scan.loop_calls import loop_calls
from loopdoctor.scan.model import (
    AsyncUse,
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
    LoopStart,
    Op,
    ThreadSubmit,
    Value,
    Values,
)
from loopdoctor.scan.naming import untagged
from loopdoctor.scan.values import annotated, field_factory, guarded_calls, values_of


def build_facts(ctx: FileContext) -> FileFacts:
    calls_by_scope: dict[int, list[CallAt]] = defaultdict(list)
    for call_at in ctx.calls:
        calls_by_scope[id(call_at.scope)].append(call_at)
    refs_by_scope: dict[int, set[str]] = defaultdict(set)
    presence_tests = _presence_tests(ctx)
    for use in ctx.uses:
        if id(use.node) in presence_tests:
            continue
        name = ctx.resolve(use.node, use.scope)
        if name is not None and not ctx.is_external(name):
            refs_by_scope[id(use.scope)].add(name)
    brief = _brief_holds(ctx)
    submits, direct_starts = _thread_submits(ctx)
    returns = _returns(ctx)
    keys = _returned_keys(ctx)
    probes = _running_loop_probes(ctx)
    functions = tuple(
        _function(ctx, scope, calls_by_scope[id(scope)], refs_by_scope[id(scope)],
                  direct_starts.get(id(scope), []), returns[id(scope)], id(scope) in probes,
                  keys.get(id(scope), KeyKind.OTHER), frozenset(brief.get(id(scope), ())))
        for scope in ctx.functions()
    )
    module_starts = [start for scope in ctx.scopes if not scope.is_function
                     for start in [*_loop_starts(ctx, calls_by_scope[id(scope)]),
                                   *direct_starts.get(id(scope), [])]]
    containers, weak = _containers(ctx)
    return FileFacts(
        path=ctx.path,
        module=ctx.module,
        functions=functions,
        classes=_classes(ctx),
        bindings=_bindings(ctx),
        containers=containers,
        instance_containers=_instance_containers(ctx),
        closed_slots=_closed_slots(ctx),
        pool_resets=_pool_resets(ctx),
        weak_containers=weak,
        cache_writes=_cache_writes(ctx),
        cached_factories=_cached_factories(ctx),
        async_uses=_async_uses(ctx),
        thread_submits=tuple(submits),
        module_loop_starts=tuple(module_starts),
        aliases=tuple((f"{ctx.module}.{name}", target)
                      for name, target in ctx.module_scope.imports.items()),
        names=frozenset(ctx.module_scope.locals | set(ctx.module_scope.imports)),
        star_imports=tuple(ctx.module_scope.stars),
        script=ctx.has_main_guard,
        tables=_tables(ctx),
        routes=_routes(ctx),
        signal_handlers=_signal_handlers(ctx),
        import_calls=_import_calls(ctx),
        nest_asyncio=any(t.split(".")[0] == "nest_asyncio"
                         for s in ctx.scopes for t in s.imports.values()),
    )


# -- functions -------------------------------------------------------------------------


def _returns(ctx: FileContext) -> dict[int, Values]:
    """What each function returns: its return statements' values, and its annotation."""
    found: dict[int, list[Value]] = defaultdict(list)
    for node, scope in ctx.returns:
        found[id(scope)].extend(values_of(ctx, node.value, scope))
    for scope in ctx.functions():
        if scope.kind == "lambda":
            found[id(scope)].extend(values_of(ctx, scope.node.body, scope))
        else:
            found[id(scope)].extend(annotated(ctx, scope.node.returns, scope.parent))
    return defaultdict(tuple, {k: tuple(dict.fromkeys(v)) for k, v in found.items()})


def _returned_keys(ctx: FileContext) -> dict[int, KeyKind]:
    """Functions that return a key built from the running loop (``f"{key}-{id(loop)}"``)."""
    found: dict[int, KeyKind] = {}
    asks = {id(c.scope) for c in ctx.calls
            if ctx.callee(c.node, c.scope) in kb.RUNNING_LOOP_GETTERS}
    for node, scope in ctx.returns:
        if node.value is not None and id(scope) in asks and id(scope) not in found:
            kind = ctx.key_kind(node.value, scope)
            if kind is not KeyKind.OTHER:
                found[id(scope)] = kind
    return found


def _presence_tests(ctx: FileContext) -> set[int]:
    """``x is None`` / ``x is not None``: asks whether ``x`` is there, uses no loop of it."""
    return {id(node.left) for node, _ in ctx.compares
            if len(node.ops) == 1 and isinstance(node.ops[0], (ast.Is, ast.IsNot))
            and isinstance(node.comparators[0], ast.Constant)
            and node.comparators[0].value is None}


def _brief_holds(ctx: FileContext) -> dict[int, set[str]]:
    """Per scope: the names it uses only as ``async with NAME:`` around a body that never
    suspends (no await, async for/with or yield): held and released within one step. Only
    the last item of ``async with a, b:`` counts: ``a`` is held while ``b`` is entered."""
    brief_items = {id(node.items[-1].context_expr) for node, _ in ctx.async_withs
                   if not _suspends(node.body)}
    if not brief_items:
        return {}  # what no scope holds briefly: the uses need not be sorted
    held: dict[int, set[str]] = defaultdict(set)
    other: dict[int, set[str]] = defaultdict(set)
    for use in ctx.uses:
        if (name := ctx.resolve(use.node, use.scope)) is not None:
            (held if id(use.node) in brief_items else other)[id(use.scope)].add(name)
    return {scope: {name for name in names if not any(
                o == name or o.startswith(f"{name}.") for o in other[scope])}
            for scope, names in held.items()}


def _suspends(body: list[ast.stmt]) -> bool:
    return any(isinstance(node, _SUSPENSIONS) for stmt in body for node in ast.walk(stmt))


_SUSPENSIONS = (ast.Await, ast.AsyncFor, ast.AsyncWith, ast.Yield, ast.YieldFrom)


def _function(ctx: FileContext, scope: Scope, calls: list[CallAt], refs: set[str],
              direct_starts: list[LoopStart], returns: Values, probes: bool,
              returns_key: KeyKind, brief_holds: frozenset[str]) -> Function:
    names = [(c, ctx.callee(c.node, scope) or ctx.called_object(c.node, scope)) for c in calls]
    again = _handed_again(ctx, scope, names)
    node = scope.node
    starts = tuple([*_loop_starts(ctx, calls), *direct_starts])
    # Only a function that starts a fresh loop reads ``tried``, and only one that does or takes
    # ``get_event_loop()`` reads ``gated``: the walks for guards and version gates (each the
    # file's every node) are made for few files.
    fresh = any(start.fresh_loop for start in starts)
    borrows = any(name in kb.GET_EVENT_LOOP for _, name in names)
    tried = {ctx.site(c.node, scope) for c in calls if id(c.node) in guarded_calls(ctx)} \
        if fresh else set()
    gated = {ctx.site(c.node, scope) for c, name in names
             if (name in kb.GET_EVENT_LOOP or any(ctx.site(c.node, scope) == start.site
                                                  for start in starts))
             and id(c.node) in _version_gated(ctx)} if fresh or borrows else set()
    return Function(
        qualname=scope.qualname,
        site=ctx.site(node, scope),
        is_async=scope.is_async,
        cls=scope.cls,
        params=tuple(scope.params),
        positional=scope.positional,
        returns=returns,
        returns_key=returns_key,
        refs=frozenset(refs | {n for _, n in names if n and not ctx.is_external(n)}),
        brief_holds=brief_holds,
        calls=tuple(_call(ctx, c, name, again.get(name, frozenset())) for c, name in names
                    if name and not ctx.is_external(name)),
        checks_running_loop=probes or any(
            name in kb.RUNNING_LOOP_PROBES or method_name(c.node) == "is_running"
            for c, name in names),
        entry_point=_is_entry_point(ctx, scope, names),
        setup=_is_setup(ctx, scope),
        sets_event_loop=any(name in kb.SET_EVENT_LOOP for _, name in names),
        get_event_loop_sites=tuple(ctx.site(c.node, scope) for c, name in names
                                   if name in kb.GET_EVENT_LOOP),
        get_event_loop_guarded=any(name in kb.GET_EVENT_LOOP and id(c.node) in guarded_calls(ctx)
                                   for c, name in names),
        get_event_loop_unset=tuple(ctx.site(c.node, scope) for c, name in names
                                   if name in kb.GET_EVENT_LOOP and scope.kind == "function"
                                   and ctx.site(c.node, scope) not in gated
                                   and not _loop_set_before(node.body, c.node)),
        loop_starts=starts,
        fresh_loop_preferred=any(start.fresh_loop and start.site in tried for start in starts)
        or (bool(gated) and any(start.fresh_loop for start in starts)),
        decorators=_decorators(ctx, scope),
        browser_only=_browser_only(ctx, scope),
        warns_running_loop=bool(starts) and _warns_running_loop(node),
        loop_calls=loop_calls(ctx, scope, calls),
        refuses=_refused_types(ctx, scope),
        refuses_given=_refused_parameters(scope),
    )


_LOOP_WARNING = re.compile(
    r"event loop|running loop|async (code|context)|inside async|from async", re.IGNORECASE)


def _warns_running_loop(node: ast.AST) -> bool:
    """A docstring that tells where the function cannot run: "You therefore can't use this
    method inside async code or if there's an active event loop"."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    doc = ast.get_docstring(node, clean=False)
    return bool(doc and _LOOP_WARNING.search(doc))


def _loop_set_before(block: list[ast.stmt], call: ast.Call, functions: bool = True) -> bool:
    """Does a ``set_event_loop(...)`` call (by any receiver) run before ``call`` on its path
    through ``block``: in an earlier statement of a block that holds it, in a loop's body that
    holds it (an earlier pass), in the ``try`` body above the handler that holds it? A branch
    ``call`` is not on (``if``'s other arm) does not count; nor, unless ``functions``, one in
    the body of a function defined on the way (defining it runs nothing)."""
    for i, stmt in enumerate(block):
        if not any(n is call for n in ast.walk(stmt)):
            continue
        if any(_sets_loop(stmt_before, functions) for stmt_before in block[:i]):
            return True
        if isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)) and _sets_loop(stmt, functions):
            return True
        inner = [getattr(stmt, name, []) for name in ("body", "orelse", "finalbody")]
        inner += [h.body for h in getattr(stmt, "handlers", [])]
        inner += [case.body for case in getattr(stmt, "cases", [])]
        for sub in inner:
            if not (isinstance(sub, list) and any(n is call for s in sub for n in ast.walk(s))):
                continue
            if isinstance(stmt, ast.Try) and sub is not stmt.body \
                    and any(_sets_loop(s, functions) for s in stmt.body):
                return True
            return _loop_set_before(sub, call, functions)
        return False
    return False


def _sets_loop(node: ast.AST, functions: bool = True) -> bool:
    """A ``set_event_loop(...)`` call in ``node``; unless ``functions``, not one in the body
    of a function or lambda defined there."""
    nodes = ast.walk(node) if functions else _outside_functions(node)
    return any(isinstance(n, ast.Call) and (method_name(n) or getattr(n.func, "id", ""))
               == "set_event_loop" for n in nodes)


def _outside_functions(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and what it holds, but not the bodies of the functions and lambdas in it
    (their decorators and defaults run where they are defined)."""
    todo = [node]
    while todo:
        current = todo.pop()
        yield current
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)):
            todo += [*current.decorator_list, *current.args.defaults,
                     *(d for d in current.args.kw_defaults if d is not None)]
        elif isinstance(current, ast.Lambda):
            todo += [*current.args.defaults,
                     *(d for d in current.args.kw_defaults if d is not None)]
        else:
            todo += ast.iter_child_nodes(current)


def _version_gated(ctx: FileContext) -> set[int]:
    """Calls in the branches of an ``if`` that tests the Python version
    (``sys.version_info``, ``hasattr(asyncio, "run")``)."""
    if "version_gated" not in ctx.memo:
        found = set()
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.If) and any(
                    (isinstance(n, ast.Attribute) and n.attr == "version_info")
                    or _asks_asyncio_for(n) for n in ast.walk(node.test)):
                found.update(id(n) for stmt in (*node.body, *node.orelse)
                             for n in ast.walk(stmt) if isinstance(n, ast.Call))
        ctx.memo["version_gated"] = found
    return ctx.memo["version_gated"]


def _refused_types(ctx: FileContext, scope: Scope) -> frozenset[tuple[str, str]]:
    """``if isinstance(self.db, AsyncDb): raise TypeError(...)``, a statement of the function's
    own body: past it, that attribute holds no ``AsyncDb``, so what the function then runs or
    hands on does not reach one through it."""
    found: set[tuple[str, str]] = set()
    body = scope.node.body if isinstance(scope.node, (ast.FunctionDef, ast.AsyncFunctionDef)) \
        else ()
    for stmt in body:
        test = stmt.test if isinstance(stmt, ast.If) and not stmt.orelse \
            and len(stmt.body) == 1 and isinstance(stmt.body[0], ast.Raise) else None
        if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) \
                and test.func.id == "isinstance" and len(test.args) == 2 \
                and isinstance(test.args[0], ast.Attribute) \
                and (attr := ctx.resolve(test.args[0], scope)):
            kinds = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
            found.update((attr, name) for kind in kinds if (name := ctx.resolve(kind, scope)))
    return frozenset(found)


def _asks_asyncio_for(node: ast.AST) -> bool:
    """``hasattr(asyncio, "run")``: a test of what the Python version's asyncio has. Not
    ``hasattr(self, "_loop")`` nor ``hasattr(loop, "shutdown_default_executor")``: those test
    an object, not the version."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
        and node.func.id == "hasattr" and len(node.args) == 2 \
        and isinstance(node.args[0], ast.Name) and node.args[0].id == "asyncio"


def _refused_parameters(scope: Scope) -> tuple[tuple[int, int], ...]:
    """``if session is not None: raise ValueError(...)`` (or ``if session: raise``), a
    statement of the function's own body that tests one of its parameters: past it, that
    parameter was not given, so what the function then runs does not reach it."""
    if not isinstance(scope.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return ()
    found = []
    for stmt in scope.node.body:
        if not (isinstance(stmt, ast.If) and not stmt.orelse and len(stmt.body) == 1
                and isinstance(stmt.body[0], ast.Raise)):
            continue
        test = stmt.test
        if isinstance(test, ast.Compare) and len(test.ops) == 1 \
                and isinstance(test.ops[0], ast.IsNot) \
                and isinstance(test.comparators[0], ast.Constant) \
                and test.comparators[0].value is None:
            test = test.left
        if isinstance(test, ast.Name) and test.id in scope.params:
            found.append((scope.params.index(test.id), stmt.lineno))
    return tuple(found)


def _browser_only(ctx: FileContext, scope: Scope | None) -> bool:
    """Code that runs only in a browser's Python: its module is a ``pyodide`` package's, or
    it or a scope around it imports a browser-only module unconditionally (a statement of its
    own body, not one inside ``try``/``if``)."""
    if scope is None:
        return any(part.strip("_") == "pyodide" for part in untagged(ctx.module).split("."))
    known = ctx.memo.setdefault("browser only", {})
    if id(scope) not in known:
        body = getattr(scope.node, "body", ())
        known[id(scope)] = (isinstance(body, list)
                            and any(_imports_browser_module(stmt) for stmt in body)) \
            or _browser_only(ctx, scope.parent)
    return known[id(scope)]


def _imports_browser_module(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Import):
        modules = [alias.name for alias in stmt.names]
    elif isinstance(stmt, ast.ImportFrom) and not stmt.level and stmt.module:
        modules = [stmt.module]
    else:
        return False
    return any(module.split(".")[0] in kb.BROWSER_MODULES for module in modules)


def _decorators(ctx: FileContext, scope: Scope) -> tuple[str, ...]:
    """The project's decorators on a function: ``name``, or ``name()`` for ``@name(...)``."""
    found = []
    for decorator in getattr(scope.node, "decorator_list", ()):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = ctx.resolve(target, scope.parent)
        if name and not ctx.is_external(name):
            found.append(f"{name}()" if isinstance(decorator, ast.Call) else name)
    return tuple(found)


def _running_loop_probes(ctx: FileContext) -> set[int]:
    """Scopes that ask "is a loop running?": ``try: get_running_loop() except RuntimeError``."""
    found = set()
    for node, scope in ctx.tries:
        if any(catches_runtime_error(h) for h in node.handlers) and any(
                isinstance(stmt, (ast.Expr, ast.Assign)) and isinstance(stmt.value, ast.Call)
                and ctx.callee(stmt.value, scope) in kb.RUNNING_LOOP_PROBES
                for stmt in node.body):
            found.add(id(scope))
    return found


def _handed_again(ctx: FileContext, scope: Scope,
                  names: list[tuple[CallAt, str | None]]) -> dict[str, frozenset[str]]:
    """Per function of the project called here, the plain names more than one of its calls
    is given, those calls being statements of one block (not the two branches of an
    ``if``)."""
    given = [(name, call_at, arg) for call_at, name in names
             if name and not ctx.is_external(name)
             for arg in {a.id for a in [*call_at.node.args,
                                        *(k.value for k in call_at.node.keywords)]
                         if isinstance(a, ast.Name)}]
    if len(given) < 2 or len({(name, arg) for name, _, arg in given}) == len(given):
        return {}
    counts = Counter((name, _block_of(scope.node, call_at.node), arg)
                     for name, call_at, arg in given)
    found: dict[str, set[str]] = defaultdict(set)
    for (name, block, arg), count in counts.items():
        if block is not None and count > 1:
            found[name].add(arg)
    return {name: frozenset(args) for name, args in found.items()}


def _call(ctx: FileContext, call_at: CallAt, callee: str,
          handed_again: frozenset[str] = frozenset()) -> Call:
    """A call and what its arguments carry (coroutines, objects; nothing for ``f()`` or
    constants: the edge to the callee still counts for every walk over callers).
    ``handed_again``: the names that other calls of ``callee`` here are given too."""
    scope, call = call_at.scope, call_at.node
    args = tuple(_arg_ref(ctx, a, call_at, handed_again=handed_again) for a in call.args)
    kwargs = tuple((k.arg, ref) for k in call.keywords
                   if k.arg and (ref := _arg_ref(ctx, k.value, call_at,
                                                 handed_again=handed_again)) != _EMPTY)
    values = tuple(values_of(ctx, a, scope) for a in call.args)
    kwvalues = tuple((k.arg, found) for k in call.keywords
                     if k.arg and (found := values_of(ctx, k.value, scope)))
    return Call(callee, _is_bound(ctx, call.func, scope), args, kwargs, values, kwvalues,
                ctx.site(call, scope), _through_super(call.func))


def _through_super(func: ast.expr) -> bool:
    """``super().m(...)``: it runs the ``m`` next in the class's MRO, not every override."""
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call) \
        and isinstance(func.value.func, ast.Name) and func.value.func.id == "super"


_EMPTY = CoroRef()


def _arg_ref(ctx: FileContext, arg: ast.expr, call_at: CallAt, repeated: bool = False,
             handed_again: frozenset[str] = frozenset()) -> CoroRef:
    if not isinstance(arg, (ast.Call, ast.Await, ast.Name, ast.Attribute)):
        return _EMPTY  # literals, operators, comprehensions: not a coroutine or a client
    return coro_ref(ctx, arg, call_at.scope, call_at.loop, call_at.scope.repeated or repeated,
                    handed_again)


def _is_bound(ctx: FileContext, func: ast.expr, scope: Scope) -> bool:
    """``self.m(x)`` and ``svc.m(x)`` pass the instance first; ``mod.f(x)`` does not."""
    if not isinstance(func, ast.Attribute):
        return False
    root = func
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name):
        return True
    owner = ctx.owner(root.id, scope)
    return owner is not None and (root.id == owner.self_name or root.id not in owner.params)


def _is_setup(ctx: FileContext, scope: Scope) -> bool:
    if scope.kind != "function" or scope.is_async:
        return False
    if scope.node.name in kb.SETUP_NAMES:
        return True
    return any((ctx.resolve(_decorated(d), scope.parent) or "").endswith(
        kb.SETUP_DECORATOR_SUFFIXES) for d in scope.node.decorator_list)


def _is_entry_point(ctx: FileContext, scope: Scope,
                    names: list[tuple[CallAt, str | None]]) -> bool:
    if scope.kind != "function":
        return False
    name = scope.node.name
    if name in kb.ENTRY_POINT_NAMES or name.startswith("test_") \
            or any(_ends_process(ctx, stmt, scope) or _ends_on_interrupt(ctx, stmt, scope)
                   for stmt in scope.node.body) \
            or _parses_command_line(names):
        return True
    for decorator in scope.node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        resolved = ctx.resolve(target, scope.parent) or ""
        if resolved.endswith(kb.ENTRY_POINT_DECORATOR_SUFFIXES):
            return True
    return False


def _parses_command_line(names: list[tuple[CallAt, str | None]]) -> bool:
    """The function makes an ``argparse.ArgumentParser`` and parses the command line with it
    (its own calls, with what they resolve to): a program's main, run once per process
    whatever its name."""
    return any(method_name(c.node) in kb.COMMAND_LINE_PARSES for c, _ in names) \
        and any(name in kb.ARGUMENT_PARSERS for _, name in names)


def _ends_process(ctx: FileContext, stmt: ast.stmt, scope: Scope) -> bool:
    """``sys.exit(...)`` or ``raise SystemExit`` in a function's own body, not under a branch:
    a command that ends the process runs once per process."""
    if isinstance(stmt, ast.Raise) and stmt.exc is not None:
        exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        return ctx.resolve(exc, scope) == "SystemExit"
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) \
        and ctx.callee(stmt.value, scope) in kb.PROCESS_EXITS


def _ends_on_interrupt(ctx: FileContext, stmt: ast.stmt, scope: Scope) -> bool:
    """``try: asyncio.run(...) except KeyboardInterrupt: pass`` in a function's own body: the
    user ends that loop with Ctrl-C, and the process with it: a program's top level. A handler
    that raises again is a library's cleanup, not an end; a loop over an object the function
    is given (``self``, a parameter that is not a plain value) can run again over that object
    (``client.run()`` twice, ``chat_in_terminal(agent)`` twice)."""
    in_class = scope.parent is not None and scope.parent.kind == "class"
    if in_class or not isinstance(stmt, ast.Try) or not any(
            catches(handler, "KeyboardInterrupt")
            and not any(isinstance(node, ast.Raise) for node in ast.walk(handler))
            for handler in stmt.handlers):
        return False
    starts = [node for inner in stmt.body for node in ast.walk(inner)
              if isinstance(node, ast.Call) and loop_start_api(ctx, node, scope) is not None]
    given = {node.id for start in starts for node in ast.walk(start)
             if isinstance(node, ast.Name) and node.id in scope.params
             and not _plain_value(scope.annotations.get(node.id))}
    return bool(starts) and not given


_PLAIN_VALUES = frozenset({"str", "int", "float", "bool", "bytes", "None", "Optional", "list",
                           "dict", "tuple", "set", "Path", "Sequence", "Mapping"})


def _plain_value(annotation: ast.expr | None) -> bool:
    """An annotation made only of plain values (``Optional[list[str]]``, ``int | None``): a
    parameter of that type holds no object a loop could keep."""
    if annotation is None:
        return False
    return all(isinstance(node, (ast.Subscript, ast.BinOp, ast.BitOr, ast.Tuple, ast.Load))
               or (isinstance(node, ast.Name) and node.id in _PLAIN_VALUES)
               or (isinstance(node, ast.Attribute) and node.attr in _PLAIN_VALUES)
               or (isinstance(node, ast.Constant) and node.value is None)
               for node in ast.walk(annotation))


# -- loops started and threads submitted ------------------------------------------------


def _loop_starts(ctx: FileContext, calls: list[CallAt]) -> list[LoopStart]:
    found_at = [(call_at, found) for call_at in calls
                if (found := loop_start_api(ctx, call_at.node, call_at.scope)) is not None]
    again = _given_to_several_loops(ctx.tree, [(at, coro) for at, (_, coro, _) in found_at])
    starts = []
    for call_at, (api, coro, fresh) in found_at:
        func = call_at.node.func
        per_thread = not fresh and isinstance(func, ast.Attribute) \
            and _thread_loop(ctx, func.value, call_at.scope)
        captured = "" if fresh or not isinstance(func, ast.Attribute) \
            else _captured_current_loop(ctx, func.value, call_at.scope)
        starts.append(LoopStart(ctx.site(call_at.node, call_at.scope), api,
                                _arg_ref(ctx, coro, call_at, handed_again=again), fresh,
                                in_thread=False, per_thread=per_thread,
                                repeated=call_at.loop is not None, captured_from=captured))
    return starts


def _given_to_several_loops(tree: ast.Module,
                            starts: list[tuple[CallAt, ast.expr]]) -> frozenset[str]:
    """Plain names that more than one loop start's coroutine works on, those starts being
    statements of one block that run one after the other (``client`` in
    ``asyncio.run(client.get(a))`` and then ``asyncio.run(client.get(b))``; not the two
    branches of an ``if``)."""
    if len(starts) < 2:
        return frozenset()
    counts = Counter((_block_of(tree, call_at.node), name) for call_at, coro in starts
                     for name in _worked_on(coro))
    return frozenset(name for (block, name), count in counts.items()
                     if block is not None and count > 1)


def _block_of(root: ast.AST, node: ast.AST) -> int | None:
    """id of the innermost statement list under ``root`` (a module, a function) holding the
    statement ``node`` is in, found by position, statements only."""
    where = (node.lineno, node.col_offset)
    blocks = [getattr(root, "body", None)]
    found = None
    while blocks:
        block = blocks.pop()
        if not isinstance(block, list):
            continue
        for stmt in block:
            if isinstance(stmt, ast.stmt) and (stmt.lineno, stmt.col_offset) <= where \
                    <= (stmt.end_lineno or stmt.lineno, stmt.end_col_offset or 0):
                found = id(block)
                blocks = [getattr(inner, field, None)
                          for inner in (stmt, *getattr(stmt, "handlers", ()),
                                        *getattr(stmt, "cases", ()))
                          for field in ("body", "orelse", "finalbody")]
                break
    return found


def _worked_on(coro: ast.expr) -> set[str]:
    """The names a coroutine expression's call is made on or given: its receiver's root
    and its plain arguments."""
    if isinstance(coro, ast.Await):
        coro = coro.value
    if not isinstance(coro, ast.Call):
        return set()
    names = {arg.id for arg in [*coro.args, *(k.value for k in coro.keywords)]
             if isinstance(arg, ast.Name)}
    root = coro.func.value if isinstance(coro.func, ast.Attribute) else None
    while isinstance(root, ast.Attribute):
        root = root.value
    if isinstance(root, ast.Name):
        names.add(root.id)
    return names


def _captured_current_loop(ctx: FileContext, expr: ast.expr, scope: Scope) -> str:
    """The enclosing function whose local ``loop = asyncio.get_event_loop()`` (its only
    assignment) this closure runs on: the loop current when that function ran."""
    if not isinstance(expr, ast.Name):
        return ""
    owner = ctx.owner(expr.id, scope)
    if owner is None or owner is scope:
        return ""
    made = [ctx.callee(c, owner) for c in ctx.assigned_calls(expr.id, owner)]
    return owner.qualname if made and all(name in kb.GET_EVENT_LOOP for name in made) else ""


def _thread_loop(ctx: FileContext, expr: ast.expr, scope: Scope) -> bool:
    """The calling thread's own loop, made and set when the thread has none: ``get_event_loop()``
    or, failing that, ``new_event_loop()`` (here, or in a helper function of this file)."""
    if isinstance(expr, ast.Name):
        owner = ctx.owner(expr.id, scope) or scope
        names = {ctx.callee(c, owner) for c in ctx.assigned_calls(expr.id, owner)}
    elif isinstance(expr, ast.Call):
        names = {ctx.callee(expr, scope)}
    else:
        return False
    return _gets_or_makes(names) or bool(names & _loop_helpers(ctx))


def _gets_or_makes(names: set[str | None]) -> bool:
    return bool(names & kb.NEW_EVENT_LOOP) and bool(names & kb.RUNNING_LOOP_GETTERS)


_LOOP_HELPERS: WeakKeyDictionary[FileContext, frozenset[str]] = WeakKeyDictionary()


def _loop_helpers(ctx: FileContext) -> frozenset[str]:
    """Functions of this file that return the thread's loop, making and setting one if none
    (worked out once per file: every ``loop.run_until_complete`` asks)."""
    if ctx not in _LOOP_HELPERS:
        called: dict[str, set[str | None]] = defaultdict(set)
        for call_at in ctx.calls:
            if call_at.scope.kind == "function":
                called[call_at.scope.qualname].add(ctx.callee(call_at.node, call_at.scope))
        _LOOP_HELPERS[ctx] = frozenset(name for name, names in called.items()
                                       if _gets_or_makes(names) and names & kb.SET_EVENT_LOOP)
    return _LOOP_HELPERS[ctx]


def loop_start_api(ctx: FileContext, call: ast.Call,
                   scope: Scope) -> tuple[str, ast.expr, bool] | None:
    """(api, coroutine expression, makes its own loop) for a call that runs a loop; also
    through a context: ``copy_context().run(loop.run_until_complete, coro)``."""
    if not call.args:
        return None
    func, coro = call.func, call.args[0]
    if isinstance(func, ast.Attribute) and func.attr == "run" and len(call.args) > 1 \
            and _makes(ctx, func.value, scope, kb.COPY_CONTEXT):
        func, coro = call.args[0], call.args[1]
    if ctx.resolve(func, scope) in kb.ASYNCIO_RUN:
        return "asyncio.run", coro, True
    method = func.attr if isinstance(func, ast.Attribute) else None
    if method == "run_until_complete":
        return "run_until_complete", coro, _makes(ctx, func.value, scope, kb.NEW_EVENT_LOOP)
    if method == "run" and _makes(ctx, func.value, scope, kb.ASYNCIO_RUNNER):
        return "Runner.run", coro, True
    return None


def _makes(ctx: FileContext, expr: ast.expr, scope: Scope, ctors: frozenset[str]) -> bool:
    """Is this expression an object just made by one of ``ctors`` (directly or via a local
    every assignment of which makes one: ``get_event_loop()`` or else ``new_event_loop()``
    mostly reuses a loop)?"""
    if isinstance(expr, ast.Call):
        return ctx.callee(expr, scope) in ctors
    if isinstance(expr, ast.Name):
        owner = ctx.owner(expr.id, scope) or scope
        made = [ctx.callee(c, owner) for c in ctx.assigned_calls(expr.id, owner)]
        return bool(made) and all(name in ctors for name in made)
    return False


def _thread_submits(ctx: FileContext) -> tuple[list[ThreadSubmit], dict[int, list[LoopStart]]]:
    submits: list[ThreadSubmit] = []
    direct: dict[int, list[LoopStart]] = defaultdict(list)
    for call_at in ctx.calls:
        handoff = thread_call(ctx, call_at)
        if handoff is None:
            continue
        kwargs, repeated = handoff.keywords, handoff.repeated
        target, args = _unwrap_callable(ctx, handoff.callable, handoff.args, call_at.scope)
        scope = call_at.scope
        site = ctx.site(call_at.node, scope)
        if isinstance(target, ast.Lambda):
            inner = ctx.scope_of[id(target)]
            inner.repeated = inner.repeated or repeated
            submits.append(ThreadSubmit(site, inner.qualname, scope.qualname, False, (), ()))
            continue
        name = ctx.resolve(target, scope)
        if name is None:
            continue
        if name in kb.ASYNCIO_RUN and args:
            coro = _arg_ref(ctx, args[0], call_at, repeated)
            direct[id(scope)].append(LoopStart(site, "asyncio.run", coro, True, in_thread=True))
            continue
        submits.append(ThreadSubmit(
            site, name, scope.qualname, _is_bound(ctx, target, scope),
            tuple(_arg_ref(ctx, a, call_at, repeated) for a in args),
            tuple((k.arg, _arg_ref(ctx, k.value, call_at, repeated)) for k in kwargs if k.arg),
        ))
    return submits, direct


class Handoff(NamedTuple):
    """Work handed to a worker thread: ``callable(*args, **keywords)``."""

    callable: ast.expr
    args: list[ast.expr]
    keywords: list[ast.keyword]
    repeated: bool  # executor.map: the callable runs once per item


def thread_call(ctx: FileContext, call_at: CallAt) -> Handoff | None:
    """The work a call hands to a thread (executor, Thread, to_thread, run_in_executor)."""
    call, scope = call_at.node, call_at.scope
    name = ctx.callee(call, scope) or ""
    method = method_name(call)
    if name in kb.THREAD_RUNNERS and call.args:
        return Handoff(call.args[0], call.args[1:], call.keywords, False)
    if name in kb.THREAD_CLASSES:
        keywords = {k.arg: k.value for k in call.keywords}
        target = keywords.get("target")
        extra = keywords.get("args")
        args = list(extra.elts) if isinstance(extra, (ast.Tuple, ast.List)) else []
        return Handoff(target, args, [], False) if target is not None else None
    if method is None or not call.args:
        return None
    receiver = call.func.value
    if _makes(ctx, receiver, scope, kb.PROCESS_EXECUTORS):
        return None
    if method == "submit":
        return Handoff(call.args[0], call.args[1:], call.keywords, False)
    if method == "run_in_executor" and len(call.args) >= 2:
        if _makes(ctx, call.args[0], scope, kb.PROCESS_EXECUTORS):
            return None
        return Handoff(call.args[1], call.args[2:], [], False)
    if method == "map" and _is_thread_executor(ctx, receiver, scope):
        return Handoff(call.args[0], [], [], True)
    return None


def _is_thread_executor(ctx: FileContext, expr: ast.expr, scope: Scope) -> bool:
    if _makes(ctx, expr, scope, kb.THREAD_EXECUTORS):
        return True
    name = expr.attr if isinstance(expr, ast.Attribute) else getattr(expr, "id", "")
    return any(word in name.lower() for word in ("executor", "thread"))


def _unwrap_callable(ctx: FileContext, target: ast.expr, args: list[ast.expr],
                     scope: Scope) -> tuple[ast.expr, list[ast.expr]]:
    """``partial(f, a)`` and ``ctx.run, f, a`` (contextvars) both call ``f(a, ...)``."""
    while True:
        if isinstance(target, ast.Call) and ctx.callee(target, scope) in kb.PARTIAL \
                and target.args:
            args = [*target.args[1:], *args]
            target = target.args[0]
        elif isinstance(target, ast.Attribute) and target.attr == "run" and args \
                and _makes(ctx, target.value, scope, kb.COPY_CONTEXT):
            target, args = args[0], args[1:]
        else:
            return target, args


# -- classes, module-level objects, caches ------------------------------------------------


def _classes(ctx: FileContext) -> tuple[ClassInfo, ...]:
    found = []
    for scope in ctx.scopes:
        if scope.kind != "class":
            continue
        node, outer = scope.node, scope.parent
        bases = tuple(b for b in (ctx.resolve(base, outer) for base in node.bases) if b)
        meta = next((ctx.resolve(k.value, outer) for k in node.keywords if k.arg == "metaclass"),
                    None)
        decorators = tuple(d for d in (ctx.resolve(_decorated(x), outer)
                                       for x in node.decorator_list) if d)
        found.append(ClassInfo(scope.qualname, bases, meta, decorators,
                               _shown_in_async_with(node)))
    return tuple(found)


def _shown_in_async_with(node: ast.ClassDef) -> bool:
    """Does the class's docstring show it made in ``async with Name(...)`` (with a module
    prefix or not): documented to be made inside a coroutine."""
    doc = ast.get_docstring(node, clean=False)
    return bool(doc) and "async" in doc and re.search(
        rf"async\s+with\s+(?:[\w.]+\.)?{re.escape(node.name)}\(", doc) is not None


def _decorated(decorator: ast.expr) -> ast.expr:
    return decorator.func if isinstance(decorator, ast.Call) else decorator


def _enclosing_method(scope: Scope) -> Scope | None:
    current: Scope | None = scope
    while current is not None and current.is_function:
        if current.cls is not None:
            return current
        current = current.parent
    return None


def _is_classmethod(scope: Scope) -> bool:
    """Its first parameter is the class: ``@classmethod``, or ``__new__``."""
    return getattr(scope.node, "name", "") == "__new__" or any(
        isinstance(d, ast.Name) and d.id == "classmethod"
        for d in getattr(scope.node, "decorator_list", ()))


def _bindings(ctx: FileContext) -> tuple[Binding, ...]:
    lazy = _lazy_writes(ctx)
    in_loop = _written_in_loop(ctx)
    found = [*_top_bindings(ctx), *_annotation_bindings(ctx), *_default_bindings(ctx)]
    for name, value, scope in ctx.global_stores:
        if scope.is_function and (values := values_of(ctx, value, scope)):
            found.append(Binding(f"{ctx.module}.{name.id}", values, ctx.site(name, scope),
                                 Bind.GLOBAL, _singleton_key(ctx, scope), lazy.get(id(name))))
    found += _validator_fields(ctx)
    found += _cached_properties(ctx)
    for target, value, scope in ctx.attr_stores:
        kind, name = _attr_kind(ctx, target, scope), ctx.resolve(target, scope)
        if kind is None and (made := _made_by_new(ctx, target, scope)):
            kind, name = Bind.INSTANCE, f"{made}.{target.attr}"
        if kind is None or not (values := values_of(ctx, value, scope)):
            continue
        if name:
            found.append(Binding(name, values, ctx.site(target, scope), kind,
                                 _singleton_key(ctx, scope), lazy.get(id(target)),
                                 in_loop=id(target) in in_loop))
    return tuple(found)


def _cached_properties(ctx: FileContext) -> list[Binding]:
    """``@cached_property def client(self)``: its first value stays on the instance as
    ``client``, like ``self.client = ...`` written by a getter that checks it first."""
    found = []
    returns = _returns(ctx)
    for scope in ctx.functions():
        if scope.cls is None or scope.kind != "function" or not any(
                ctx.resolve(d, scope.parent) in kb.CACHED_PROPERTIES
                for d in scope.node.decorator_list):
            continue
        if values := tuple(v for v in returns[id(scope)] if v.op is not Op.PARAM):
            found.append(Binding(f"{scope.cls}.{scope.node.name}", values,
                                 ctx.site(scope.node, scope), Bind.INSTANCE))
    return found


def _written_in_loop(ctx: FileContext) -> set[int]:
    """Targets assigned under ``if <a loop is running>:`` (``get_running_loop()`` or a helper
    named for it): what is made there is made inside that loop."""
    if "written in loop" in ctx.memo:
        return ctx.memo["written in loop"]
    found = ctx.memo["written in loop"] = set()
    for node, scope in ctx.ifs:
        if any(isinstance(n, ast.Call) and _asks_running_loop(ctx, n, scope)
               for n in _test_nodes(ctx, node)):
            found.update(id(t) for stmt in node.body for n in ast.walk(stmt)
                         if isinstance(n, (ast.Assign, ast.AnnAssign))
                         for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))
    return found


def _asks_running_loop(ctx: FileContext, call: ast.Call, scope: Scope) -> bool:
    name = ctx.callee(call, scope) or ""
    last = name.rsplit(".", 1)[-1].lower()
    return name in kb.RUNNING_LOOP_PROBES or ("running" in last and "loop" in last)


def _validator_fields(ctx: FileContext) -> list[Binding]:
    """``values["client"] = C()`` in a pydantic validator of class K sets ``K.client``."""
    found = []
    in_loop = _written_in_loop(ctx)
    for target, value, scope in ctx.subscript_stores:
        method = _enclosing_method(scope)
        index = target.slice
        if method is None or not _is_setup(ctx, method) or not isinstance(target.value, ast.Name) \
                or target.value.id not in method.params[1:] \
                or not (isinstance(index, ast.Constant) and isinstance(index.value, str)):
            continue
        if values := values_of(ctx, value, scope):
            found.append(Binding(f"{method.cls}.{index.value}", values, ctx.site(target, scope),
                                 Bind.INSTANCE, in_loop=id(target) in in_loop))
    return found


def _top_bindings(ctx: FileContext):
    """Module- and class-level ``x = v``: made at import time."""
    for target, value, scope in ctx.top_assigns:
        kind = Bind.MODULE if scope.kind == "module" else Bind.CLASS
        name = f"{scope.qualname}.{target.id}"
        site = ctx.site(value if value is not None else target, scope)
        if isinstance(value, ast.Call) and ctx.callee(value, scope) in kb.SINGLETON_PROVIDERS \
                and value.args:
            provided = ctx.resolve(value.args[0], scope)
            if provided:
                yield Binding(name, (Value(Op.CALL, provided, line=value.lineno),), site, kind,
                              provider=True)
        else:  # even with no value worth following: where the name is defined
            yield Binding(name, values_of(ctx, value, scope), site, kind)
        if made := field_factory(ctx, value, scope):
            yield Binding(name, made, site, Bind.INSTANCE)


def _tables(ctx: FileContext) -> tuple[tuple[str, frozenset[str]], ...]:
    """Module- and class-level ``x = v`` whose value names functions without calling them
    (``SETUPS = {"a": a.setup}``, ``Methods(a.setup, a.scan)``): whoever reads ``x`` calls
    them."""
    called = {id(call_at.node.func) for call_at in ctx.calls}
    used = {id(use.node) for use in ctx.uses if not use.scope.is_function}
    found = []
    for target, value, scope in ctx.top_assigns:
        if value is None or isinstance(value, (ast.Name, ast.Attribute, ast.Constant)):
            continue  # an alias or a constant: the name itself, not a table
        mentioned = frozenset(
            name for node in ast.walk(value)
            if id(node) in used and id(node) not in called
            and (name := ctx.resolve(node, scope)) is not None and not ctx.is_external(name))
        if mentioned:
            found.append((f"{scope.qualname}.{target.id}", mentioned))
    return tuple(found)


def _routes(ctx: FileContext) -> tuple[tuple[str, str], ...]:
    """What this file hands a server to run per request by call, not by decorator: the
    project functions (or class-based views) a route is made of (``app.add_api_route("/x", h)``,
    ``Route("/x", endpoint=h)``, ``app.router.add_get("/", h)``, ``web.get("/", h)``) and the
    classes of the objects registered as gRPC servicers
    (``add_FooServicer_to_server(Foo(), server)``); each with the route's call ("" for a
    servicer's: that function, generated into the project or not, is gRPC's)."""
    found = []
    for call_at in ctx.calls:
        node, scope = call_at.node, call_at.scope
        callee = ctx.callee(node, scope) or ""
        if method_name(node) in kb.ROUTE_REGISTRATION_METHODS or callee in kb.ROUTE_CONSTRUCTORS:
            found += [(callee, name) for arg in [*node.args, *(k.value for k in node.keywords)]
                      if isinstance(arg, (ast.Name, ast.Attribute))
                      and (name := ctx.resolve(arg, scope)) and not ctx.is_external(name)]
        elif _registers_servicer(callee) and node.args:
            found += [("", cls) for cls in sorted(ctx.value_ctors(node.args[0], scope))]
    return tuple(found)


def _import_calls(ctx: FileContext) -> tuple[str, ...]:
    """The project names called by the module's own statements or a class body (not inside a
    function): they run when the module is imported, or run as a script. A call that a
    ``set_event_loop(...)`` of that top level runs before (an earlier statement, a loop's
    earlier pass; one inside a function it only defines sets nothing) is left out: it finds
    that loop. One in the same statement, or before, runs with none."""
    top = ctx.tree.body
    sets = any("set_event_loop" in line for line in ctx.lines) \
        and any(_sets_loop(stmt, functions=False) for stmt in top)
    found = []
    for call_at in ctx.calls:
        if call_at.scope.is_function:
            continue
        name = ctx.callee(call_at.node, call_at.scope)
        if not name or ctx.is_external(name) or name in found \
                or (sets and _loop_set_before(top, call_at.node, functions=False)):
            continue
        found.append(name)
    return tuple(found)


def _signal_handlers(ctx: FileContext) -> tuple[str, ...]:
    """The project functions (lambdas too) this file gives ``signal.signal(sig, h)`` or a
    loop's ``add_signal_handler(sig, h)``: run on the main thread, on its running loop."""
    found = []
    for call_at in ctx.calls:
        node, scope = call_at.node, call_at.scope
        if len(node.args) < 2 or (ctx.callee(node, scope) not in kb.SIGNAL_REGISTRATIONS
                                  and method_name(node) != "add_signal_handler"):
            continue
        handler = node.args[1]
        if isinstance(handler, ast.Lambda):
            found.append(ctx.scope_of[id(handler)].qualname)
        elif isinstance(handler, (ast.Name, ast.Attribute)) \
                and (name := ctx.resolve(handler, scope)) and not ctx.is_external(name):
            found.append(name)
    return tuple(found)


def _registers_servicer(callee: str) -> bool:
    first, last = kb.GRPC_REGISTRATION_AFFIXES
    name = callee.rpartition(".")[2]
    return name.startswith(first) and name.endswith(last)


def _annotation_bindings(ctx: FileContext):
    """``x: T`` at module or class level (fields), ``self.x: T`` in a method."""
    for target, annotation, scope in ctx.annotations:
        if isinstance(target, ast.Name) and not scope.is_function:
            name = f"{scope.qualname}.{target.id}"
            values = annotated(ctx, annotation, scope)
        elif isinstance(target, ast.Attribute) and _attr_kind(ctx, target, scope) is Bind.INSTANCE:
            name = ctx.resolve(target, scope)
            values = annotated(ctx, annotation, _enclosing_method(scope).parent)
        else:
            continue
        if name and values:
            yield Binding(name, values, ctx.site(target, scope), Bind.ANNOTATION)


def _default_bindings(ctx: FileContext):
    """``def f(loop=asyncio.get_event_loop())``: a default made once, at import time."""
    for scope in ctx.functions():
        args = scope.node.args
        positional = [*args.posonlyargs, *args.args]
        first = len(positional) - len(args.defaults)
        pairs = [*zip(positional[first:], args.defaults, strict=True),
                 *((a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                   if d is not None)]
        for arg, default in pairs:
            if isinstance(default, ast.Call) and (values := values_of(ctx, default, scope.parent)):
                yield Binding(f"{scope.qualname}.{arg.arg}", values,
                              ctx.site(default, scope.parent), Bind.DEFAULT)


def _attr_kind(ctx: FileContext, target: ast.Attribute, scope: Scope) -> Bind | None:
    """``self.x = v`` is an instance binding, ``cls.x = v`` / ``C.x = v`` a class slot."""
    if not scope.is_function or not isinstance(target.value, ast.Name):
        return None
    method = _enclosing_method(scope)
    if method is not None and target.value.id == method.self_name \
            and not _is_classmethod(method):
        return Bind.INSTANCE
    return Bind.CLASS_SLOT if _is_class_slot(ctx, target.value.id, scope) else None


def _made_by_new(ctx: FileContext, target: ast.Attribute, scope: Scope) -> str | None:
    """The class whose instance ``__new__`` sets an attribute on, as a singleton's
    ``cls._instance.client = v`` or ``obj = super().__new__(cls); obj.client = v`` do."""
    method = _enclosing_method(scope)
    if method is None or method.node.name != "__new__" or method.self_name is None:
        return None
    owner = target.value
    if isinstance(owner, ast.Attribute) and isinstance(owner.value, ast.Name) \
            and owner.value.id == method.self_name:
        return method.cls
    made = [v for v, _ in method.assigns.get(owner.id, [])] if isinstance(owner, ast.Name) else []
    if made and all(isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute)
                    and v.func.attr == "__new__" for v in made):
        return method.cls
    return None


def _lazy_writes(ctx: FileContext) -> dict[int, Guard]:
    """Targets written by a function that also tests them: ``if self._c is None: self._c =
    C()``, or an early ``return self._c`` when it is set (get-or-create)."""
    tested: dict[int, dict[str, Guard]] = defaultdict(dict)
    governed: dict[tuple[int, str], _Governed] = {}
    writing = {id(scope) for _, _, scope in [*ctx.global_stores, *ctx.attr_stores]}
    for node, scope in ctx.ifs:
        if id(scope) not in writing or _is_setup(ctx, scope):
            continue  # what a function tests but never writes; a constructor or validator may
            # test what it sets, but runs once per object
        tested_nodes = _test_nodes(ctx, node)
        names = _tested_names(ctx, tested_nodes, scope)
        guard = _guard(tested_nodes)
        for name in names:  # the most a function's tests ask of one target
            tested[id(scope)][name] = max(guard, tested[id(scope)].get(name, guard),
                                          key=list(Guard).index)
            governed.setdefault((id(scope), name), _Governed(ctx)).add(node)
    lazy: dict[int, Guard] = dict.fromkeys(_made_when_missing(ctx), Guard.MISSING)
    for name, _, scope in ctx.global_stores:
        resolved = f"{ctx.module}.{name.id}"
        if (guard := tested.get(id(scope), {}).get(resolved)) is not None \
                and governed[(id(scope), resolved)].covers(name):
            lazy[id(name)] = guard
    for target, _, scope in ctx.attr_stores:
        if tested.get(id(scope)) and (resolved := ctx.resolve(target, scope)) is not None \
                and (guard := tested[id(scope)].get(resolved)) is not None \
                and governed[(id(scope), resolved)].covers(target):
            lazy[id(target)] = guard
    return lazy


class _Governed:
    """The ``if``s of one function that test one target: a write of it is made on their
    answer when it sits in one's branches, or after one whose body returns (``if self._c:
    return self._c``), not when it follows a test that only decides something else
    (``if self._s.closed: self._s.close()``, then ``self._s = Session()`` every time).
    Each ``if``'s branches are walked once per file, and only when a write of a target it
    tests is asked about (most tested names are never written in the function)."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.ifs: list[ast.If] = []
        self.inside: set[int] | None = None
        self.after = 0  # the last line of the first ``if`` whose body returns

    def add(self, node: ast.If) -> None:
        self.ifs.append(node)

    def covers(self, target: ast.AST) -> bool:
        if self.inside is None:
            self.inside = set()
            for node in self.ifs:
                inside, returns = _branches(self.ctx, node)
                self.inside |= inside
                if returns:
                    end = node.end_lineno or node.lineno
                    self.after = min(self.after, end) if self.after else end
        return id(target) in self.inside or 0 < self.after < getattr(target, "lineno", 0)


def _branches(ctx: FileContext, node: ast.If) -> tuple[frozenset[int], bool]:
    """Every node of an ``if``'s branches, and whether its body returns (once per ``if``)."""
    walked = ctx.memo.setdefault("if branches", {})
    found = walked.get(id(node))
    if found is None:
        body = [n for stmt in node.body for n in ast.walk(stmt)]
        inside = {id(n) for n in body}
        inside.update(id(n) for stmt in node.orelse for n in ast.walk(stmt))
        found = walked[id(node)] = (frozenset(inside),
                                    any(isinstance(n, ast.Return) for n in body))
    return found


def _made_when_missing(ctx: FileContext) -> Iterator[int]:
    """``try: x = self._c`` ``except AttributeError: self._c = C()``: the writes, in the
    handler, of attributes the try reads."""
    for node, scope in ctx.tries:
        if scope.kind != "function" \
                or not any(catches(h, "AttributeError") for h in node.handlers):
            continue
        read = {name for stmt in node.body for n in ast.walk(stmt)
                if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Load)
                and (name := ctx.resolve(n, scope)) is not None}
        for handler in node.handlers:
            for n in (n for stmt in handler.body for n in ast.walk(stmt)):
                if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store) \
                        and ctx.resolve(n, scope) in read:
                    yield id(n)


def _test_nodes(ctx: FileContext, node: ast.If) -> list[ast.AST]:
    """Every node of an ``if``'s test, walked once for the passes that look at it."""
    walked = ctx.memo.setdefault("if tests", {})
    if id(node) not in walked:
        walked[id(node)] = list(ast.walk(node.test))
    return walked[id(node)]


def _guard(tested: list[ast.AST]) -> Guard:
    """What a get-or-create's test asks: whether the object is there, closed, or kept by a
    loop that is closed (``self._c._loop.is_closed()``)."""
    if any(isinstance(n, ast.Attribute) and n.attr in kb.CLOSED_PROBES
           and _loopish(n.value) for n in tested):
        return Guard.LOOP_CLOSED
    if any(isinstance(n, ast.Attribute) and n.attr in kb.CLOSED_PROBES for n in tested):
        return Guard.CLOSED
    return Guard.MISSING


def _loopish(expr: ast.expr) -> bool:
    """``x._loop``, ``x.loop``, ``x.get_loop()``: an object's own loop."""
    if isinstance(expr, ast.Call):
        expr = expr.func
    return isinstance(expr, ast.Attribute) and expr.attr in ("_loop", "loop", "get_loop")


def _tested_names(ctx: FileContext, tested: list[ast.AST], scope: Scope) -> set[str]:
    names = set()
    for node in tested:
        if isinstance(node, (ast.Name, ast.Attribute)):
            if (resolved := ctx.resolve(node, scope)) is not None:
                names.add(resolved)
        elif isinstance(node, ast.Call) and len(node.args) >= 2 \
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str) \
                and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr"):
            owner = ctx.resolve(node.args[0], scope)  # getattr(self, "_client", None)
            if owner:
                names.add(f"{owner}.{node.args[1].value}")
    return names


def _containers(ctx: FileContext) -> tuple[frozenset[str], frozenset[str]]:
    """Module- and class-level dict-like slots, and the weak-keyed ones among them."""
    plain, weak = set(), set()
    for target, value, scope in ctx.top_assigns:
        kind = _container_kind(ctx, value, scope)
        if kind is not None:
            (weak if kind == "weak" else plain).add(f"{scope.qualname}.{target.id}")
    return frozenset(plain), frozenset(weak)


def _instance_containers(ctx: FileContext) -> frozenset[str]:
    """``self._cache = {}`` in a method: a dict that lives as long as its object."""
    found = set()
    for target, value, scope in ctx.attr_stores:
        method = _enclosing_method(scope)
        if method is not None and isinstance(target.value, ast.Name) \
                and target.value.id == method.self_name \
                and _container_kind(ctx, value, scope) is not None:
            found.add(f"{method.cls}.{target.attr}")
    return frozenset(found)


def _container_kind(ctx: FileContext, value: ast.expr | None, scope: Scope) -> str | None:
    if isinstance(value, (ast.Dict, ast.DictComp)):
        return "plain"
    if isinstance(value, ast.Call):
        ctor = ctx.callee(value, scope)
        if ctor in kb.CONTAINER_FACTORIES:
            return "plain"
        if ctor in kb.WEAK_KEY_CONTAINERS:
            return "weak"
    return None


def _cache_writes(ctx: FileContext) -> tuple[CacheWrite, ...]:
    writes = []
    stores = [(target.value, target.slice, value, target, scope)
              for target, value, scope in ctx.subscript_stores]
    stores += [(c.node.func.value, c.node.args[0], c.node.args[1], c.node, c.scope)
               for c in ctx.calls
               if method_name(c.node) == "setdefault" and len(c.node.args) == 2]
    for holder, key, value, node, scope in stores:
        container = ctx.resolve(holder, scope)
        if container and scope.is_function:
            kind, keeps_loop = _write_key(ctx, key, value, scope)
            if kind is KeyKind.OTHER and _removed_by_its_task(ctx, container, key, scope):
                kind = KeyKind.TASK
            writes.append(CacheWrite(container, values_of(ctx, value, scope), kind,
                                     ctx.site(node, scope), values_of(ctx, key, scope),
                                     keeps_loop, _made_over(ctx, value, scope)))
    return tuple(writes)


def _made_over(ctx: FileContext, value: ast.expr | None, scope: Scope) -> Values:
    if not isinstance(value, ast.Call):
        return ()
    args = [*value.args, *(keyword.value for keyword in value.keywords)]
    return tuple(v for arg in args for v in values_of(ctx, arg, scope))


def _write_key(ctx: FileContext, key: ast.expr, value: ast.expr | None,
               scope: Scope) -> tuple[KeyKind, bool]:
    """How a write's key involves the loop, and whether the value keeps the loop beside the
    object: ``cache[url] = (client, loop)`` is loop-aware only when the function compares
    that loop with the running one, not when it only asks ``loop.is_closed()``."""
    kind = ctx.key_kind(key, scope)
    keeps_loop = isinstance(value, (ast.Tuple, ast.List)) and any(
        ctx.is_loop_expr(element, scope) for element in value.elts)
    if kind is KeyKind.OTHER and keeps_loop and _compares_loop(ctx, scope):
        kind = KeyKind.LOOP
    return kind, keeps_loop


def _removed_by_its_task(ctx: FileContext, container: str, key: ast.expr,
                         scope: Scope) -> bool:
    """``pool[id(asyncio.current_task())] = conn`` deleted again in that function's
    ``finally`` or in its class's ``__aexit__``: a task runs on one loop and its entry goes
    with it, so no entry meets a second loop. An entry its task leaves behind outlives the
    task (and ``id()`` is reused)."""
    if not _is_current_task(ctx, key, scope):
        return False
    if any(_removes(ctx, node, container, key, scope) for trial, where in ctx.tries
           if where is scope for stmt in trial.finalbody for node in ast.walk(stmt)):
        return True
    return any(_removes(ctx, node, container, None, exit_) for exit_ in ctx.functions()
               if exit_.cls is not None and exit_.cls == scope.cls
               and exit_.node.name in ("__aexit__", "__exit__")
               for node in ast.walk(exit_.node))


def _is_current_task(ctx: FileContext, key: ast.expr, scope: Scope, depth: int = 0) -> bool:
    """The key is the running task, or its id, named there or through a local."""
    for node in ast.walk(key):
        if isinstance(node, ast.Call) and ctx.callee(node, scope) in kb.CURRENT_TASK:
            return True
        if isinstance(node, ast.Name) and depth < 2 and any(
                _is_current_task(ctx, value, scope, depth + 1)
                for value, _ in scope.assigns.get(node.id, [])):
            return True
    return False


def _removes(ctx: FileContext, node: ast.AST, container: str, key: ast.expr | None,
             scope: Scope) -> bool:
    """``del pool[key]`` or ``pool.pop(key)`` on the same container with the same key (with
    no key: with the running task's)."""
    if isinstance(node, ast.Delete):
        return any(isinstance(t, ast.Subscript) and _same_entry(ctx, t.value, t.slice, container,
                                                                key, scope)
                   for t in node.targets)
    return isinstance(node, ast.Call) and method_name(node) == "pop" and bool(node.args) \
        and _same_entry(ctx, node.func.value, node.args[0], container, key, scope)


def _same_entry(ctx: FileContext, holder: ast.expr, index: ast.expr, container: str,
                key: ast.expr | None, scope: Scope) -> bool:
    return ctx.resolve(holder, scope) == container and (
        ast.dump(index) == ast.dump(key) if key is not None
        else _is_current_task(ctx, index, scope))


def _compares_loop(ctx: FileContext, scope: Scope) -> bool:
    """Does the function compare a loop with something other than ``None``?"""
    for compare, where in ctx.compares:
        operands = [compare.left, *compare.comparators]
        if where is scope and any(isinstance(op, (ast.Is, ast.IsNot, ast.Eq, ast.NotEq))
                                  for op in compare.ops) \
                and not any(isinstance(e, ast.Constant) for e in operands) \
                and any(ctx.is_loop_expr(e, scope) for e in operands):
            return True
    return False


def _is_class_slot(ctx: FileContext, name: str, scope: Scope) -> bool:
    """``cls.X = v`` in a classmethod, ``Service.X = v`` anywhere; not ``self.X = v``."""
    method = _enclosing_method(scope)
    if method is not None and name == method.self_name:
        return _is_classmethod(method)
    return ctx.owner(name, scope) is None and ctx.resolve_name(name, scope) is not None


def _closed_slots(ctx: FileContext) -> frozenset[str]:
    """Slots some function closes and resets (``await _client.aclose(); _client = None``):
    a client whose lifetime an owner manages (an app's startup/shutdown), not a cache."""
    resets = {(id(scope), f"{ctx.module}.{name.id}") for name, value, scope in ctx.global_stores
              if isinstance(value, ast.Constant) and value.value is None}
    resets |= {(id(scope), container) for target, value, scope in ctx.attr_stores
               if isinstance(value, ast.Constant) and value.value is None
               and (container := ctx.resolve(target, scope))}
    closed = set()
    for call_at in ctx.calls:
        func = call_at.node.func
        if isinstance(func, ast.Attribute) and func.attr in kb.CLOSE_METHODS:
            scope = call_at.scope
            closed.update(container for container in _closed_objects(ctx, func.value, scope)
                          if (id(scope), container) in resets
                          or container in _deleted(ctx, scope))
    return frozenset(closed)


def _closed_objects(ctx: FileContext, expr: ast.expr, scope: Scope) -> set[str]:
    """The slot a close call closes: named there, or through a local taken from it first
    (``session = Registry._session; del Registry._session; await session.close()``)."""
    found = {ctx.resolve(expr, scope)}
    if isinstance(expr, ast.Name) and ctx.owner(expr.id, scope) is scope:
        found |= {ctx.resolve(value, scope) for value, _ in scope.assigns.get(expr.id, [])
                  if isinstance(value, (ast.Name, ast.Attribute))}
    return {name for name in found if name}


def _deleted(ctx: FileContext, scope: Scope) -> set[str]:
    """The slots a function deletes (``del self._client``, ``del Registry._session``)."""
    memo = ctx.memo.setdefault("deleted", {})
    if id(scope) not in memo:
        memo[id(scope)] = {name for node in ast.walk(scope.node) if isinstance(node, ast.Delete)
                           for target in node.targets
                           if (name := ctx.resolve(target, scope))}
    return memo[id(scope)]


def _pool_resets(ctx: FileContext) -> tuple[Values, ...]:
    """``await engine.dispose()`` in a coroutine: the objects whose pool it resets; and what
    is rebuilt or cleared when the loop changes (``if self._loop != loop: self.pools = {}``)."""
    found = []
    for node, scope in ctx.awaits:
        call = node.value
        if isinstance(call, ast.Call) and method_name(call) in kb.POOL_RESETS \
                and (values := values_of(ctx, call.func.value, scope)):
            found.append(values)
    for node, scope in ctx.ifs:
        if _compares_loops(ctx, node.test, scope):
            found.extend(v for target in _rebuilt(node.body)
                         if (v := values_of(ctx, target, scope)))
    return tuple(found)


def _compares_loops(ctx: FileContext, test: ast.expr, scope: Scope) -> bool:
    """``stored_loop != loop``, ``self._loop is not get_running_loop()``: a loop changed."""
    return isinstance(test, ast.Compare) and all(
        isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)) for op in test.ops) and all(
        ctx.is_loop_expr(side, scope) for side in [test.left, *test.comparators])


def _rebuilt(body: list[ast.stmt]) -> Iterator[ast.expr]:
    """What a block assigns anew (``self.pools = {}``) or clears (``self.pools.clear()``)."""
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            yield from (t for t in stmt.targets if isinstance(t, (ast.Name, ast.Attribute)))
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) \
                and method_name(stmt.value) == "clear":
            yield stmt.value.func.value


def _singleton_key(ctx: FileContext, scope: Scope) -> KeyKind:
    """A global/class slot is loop-aware when its function compares against the loop."""
    for compare, where in ctx.compares:
        operands = [compare.left, *compare.comparators]
        if where is scope and any(isinstance(op, (ast.Is, ast.IsNot, ast.Eq, ast.NotEq))
                                  for op in compare.ops) \
                and not any(isinstance(e, ast.Constant) and e.value is None for e in operands) \
                and any(ctx.is_loop_expr(e, scope) for e in operands):
            return KeyKind.LOOP
    return KeyKind.OTHER


def _cached_factories(ctx: FileContext) -> tuple[CachedFactory, ...]:
    found = []
    for scope in ctx.functions():
        if scope.kind != "function":
            continue
        decorator = _cache_decorator(ctx, scope)
        if decorator is None:
            continue
        loop_param = any(
            p.endswith("loop") or "asyncio.AbstractEventLoop" in
            ctx.annotation_names(scope.annotations.get(p), scope.parent) for p in scope.params)
        found.append(CachedFactory(scope.qualname, decorator, loop_param,
                                   ctx.site(scope.node, scope)))
    return tuple(found)


def _cache_decorator(ctx: FileContext, scope: Scope) -> str | None:
    for decorator in scope.node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        resolved = ctx.resolve(target, scope.parent)
        if resolved in kb.CACHE_DECORATORS:
            return resolved
    return None


# -- objects used as only a loop-bound client is ------------------------------------------


def _async_uses(ctx: FileContext) -> tuple[AsyncUse, ...]:
    found = []
    calls = [(node.value, scope) for node, scope in ctx.awaits if isinstance(node.value, ast.Call)]
    calls += [(item.context_expr, scope) for node, scope in ctx.async_withs
              for item in node.items if isinstance(item.context_expr, ast.Call)]
    for call, scope in calls:
        matched = _client_method(call.func)
        if matched is not None:
            receiver, how = matched
            values = values_of(ctx, receiver, scope)
            if values:
                found.append(AsyncUse(values, how, ctx.site(call, scope)))
    return tuple(found)


def _client_method(func: ast.expr) -> tuple[ast.expr, str] | None:
    """``x.chat.completions.create`` -> (x, "chat.completions.create")."""
    attrs: list[str] = []
    node = func
    while isinstance(node, ast.Attribute) and len(attrs) < 4:
        attrs.append(node.attr)
        node = node.value
    attrs.reverse()
    for chain in kb.ASYNC_CLIENT_CHAINS:
        if tuple(attrs[-len(chain):]) == chain and len(attrs) > len(chain) - 1:
            receiver = func
            for _ in chain:
                receiver = receiver.value
            return receiver, ".".join(chain)
    return None
