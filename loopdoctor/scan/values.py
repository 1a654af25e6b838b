"""What an expression evaluates to, as ``Value``s that the join resolves across files.

``client, model = get_client()`` makes ``client`` element 0 of ``get_client``'s result;
``self._client`` is ``mod.C._client``; ``_cache[key]`` is an item of ``mod._cache``; an
untyped parameter is a ``PARAM`` whose callers decide. Nothing here knows what a name is:
whether ``mod.get_client`` is a function, a class or an alias is the join's question.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.context import (
    CASTS,
    FileContext,
    Scope,
    argument,
    catches_runtime_error,
    is_name,
)
from loopdoctor.scan.model import Op, Value, Values

_MAX_HOPS = 3  # assignments of a local followed back
_MAX_DEPTH = 8  # nesting of one expression
_MAX_ITEMS = 8  # elements of a tuple, alternatives of a value
_ITEM_METHODS = frozenset({"get", "setdefault", "pop", "__getitem__"})
_LOOPS = kb.RUNNING_LOOP_GETTERS | kb.NEW_EVENT_LOOP


def values_of(ctx: FileContext, expr: ast.AST | None, scope: Scope, hops: int = 0,
              depth: int = 0) -> Values:
    if expr is None or depth > _MAX_DEPTH:
        return ()
    step = depth + 1
    if isinstance(expr, (ast.Await, ast.NamedExpr, ast.Starred)):
        return values_of(ctx, expr.value, scope, hops, step)
    if isinstance(expr, ast.IfExp):
        return _union(values_of(ctx, e, scope, hops, step) for e in (expr.body, expr.orelse))
    if isinstance(expr, ast.BoolOp):
        return _union(values_of(ctx, e, scope, hops, step) for e in expr.values[:_MAX_ITEMS])
    if isinstance(expr, (ast.Tuple, ast.List)):
        return (_tuple(ctx, expr.elts, scope, hops, step),)
    if isinstance(expr, ast.Call):
        return _call(ctx, expr, scope, hops, step)
    if isinstance(expr, ast.Name):
        return _name(ctx, expr, scope, hops, step)
    if isinstance(expr, ast.Attribute):
        return _attribute(ctx, expr, scope, hops, step)
    if isinstance(expr, ast.Subscript):
        base = values_of(ctx, expr.value, scope, hops, step)
        index = expr.slice
        if isinstance(index, ast.Constant) and type(index.value) is int:
            return tuple(Value(Op.ELEM, index=index.value, parts=(b,)) for b in base)
        return tuple(Value(Op.ITEM, parts=(b,)) for b in base)
    return ()


def annotated(ctx: FileContext, annotation: ast.expr | None, scope: Scope) -> Values:
    """``AsyncOpenAI | None``, ``Optional["AsyncOpenAI"]``: one value per named type."""
    line = getattr(annotation, "lineno", 0)
    return tuple(Value(Op.ANNOTATED, name, line=line)
                 for name in sorted(ctx.annotation_names(annotation, scope))[:_MAX_ITEMS])


def call_target(ctx: FileContext, call: ast.Call, scope: Scope) -> str | None:
    """What a call calls: ``partial(AsyncOpenAI, ...)()`` and ``make = partial(F); make()``
    call ``F``."""
    func = call.func
    for _ in range(_MAX_HOPS):
        if isinstance(func, ast.Name) and (owner := ctx.owner(func.id, scope)) is not None:
            made = [v for v, _ in owner.assigns.get(func.id, []) if isinstance(v, ast.Call)]
            if len(made) != 1 or ctx.callee(made[0], owner) not in kb.PARTIAL:
                break
            func, scope = made[0], owner
        if isinstance(func, ast.Call) and ctx.callee(func, scope) in kb.PARTIAL and func.args:
            func = func.args[0]
        else:
            break
    if isinstance(func, ast.Call):
        return None
    return ctx.resolve(func, scope)


def _call(ctx: FileContext, call: ast.Call, scope: Scope, hops: int, depth: int) -> Values:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _ITEM_METHODS and call.args:
        base = values_of(ctx, func.value, scope, hops, depth)
        if base and all(b.op in (Op.NAME, Op.ATTR, Op.ITEM) for b in base):
            default = values_of(ctx, call.args[1], scope, hops, depth) \
                if func.attr == "setdefault" and len(call.args) > 1 else ()
            return (*(Value(Op.ITEM, parts=(b,)) for b in base), *default)
    if isinstance(func, ast.Attribute) and func.attr == "__new__" and call.args \
            and isinstance(call.args[0], ast.Name):  # ``super().__new__(cls)``: a ``cls``
        made = ctx.resolve_name(call.args[0].id, scope)
        return (Value(Op.CALL, made, line=call.lineno),) if made else ()
    callee = call_target(ctx, call, scope)
    if callee is None:
        return ()
    if callee in CASTS and len(call.args) == 2:  # ``cast(T, x)`` is ``x`` at run time
        return values_of(ctx, call.args[1], scope, hops, depth)
    if callee in kb.FIELD_DECLARATORS:
        return _field_default(ctx, call, scope, hops, depth)
    if _keeps_no_pool(ctx, call, callee, scope):
        return ()
    if callee in _LOOPS:
        made = callee in kb.GET_EVENT_LOOP and id(call) in _after_new_loop_set(ctx)
        return (Value(Op.LOOP, "asyncio.new_event_loop" if made else callee,
                      int(id(call) in guarded_calls(ctx)), line=call.lineno),)
    return (Value(Op.CALL, callee, int(_passes_loop(call)), _given_loop(ctx, call, scope),
                  line=call.lineno),)


def _keeps_no_pool(ctx: FileContext, call: ast.Call, callee: str, scope: Scope) -> bool:
    """An async engine that may be given ``poolclass=NullPool`` (in the call, or in the
    ``**options`` it is given, on any path: the pool is the deployment's choice), one whose URL
    names a driver that binds no loop (aiosqlite), and a session factory or session over such
    an engine."""
    if callee in kb.ENGINE_USERS:
        bind = argument(call, 0, "bind")
        return isinstance(bind, ast.Name) and _engine_keeps_no_pool(ctx, bind, scope)
    if callee not in kb.POOLED_ENGINES:
        return False
    if _url_binds_no_loop(ctx, argument(call, 0, "url"), scope):
        return True
    return any(_names_no_pool(ctx, k.value, scope) if k.arg == "poolclass" else
               k.arg is None and isinstance(k.value, ast.Name)
               and _options_name_no_pool(ctx, k.value, scope) for k in call.keywords)


def _url_binds_no_loop(ctx: FileContext, url: ast.AST | None, scope: Scope,
                       hops: int = 0) -> bool:
    """``"sqlite+aiosqlite:///app.db"``, ``f"sqlite+aiosqlite:///{path}"``, a name this file
    assigns only such URLs, ``make_url(...)`` or ``URL.create("sqlite+aiosqlite", ...)`` of
    one: an engine over a driver that binds no loop (an unknown URL may name any driver)."""
    if url is None or hops > _MAX_HOPS:
        return False
    if isinstance(url, ast.Name):
        owner = _home(ctx, url.id, scope)
        made = [v for v, _ in owner.assigns.get(url.id, [])] if owner else []
        return bool(made) and all(_url_binds_no_loop(ctx, v, owner, hops + 1) for v in made)
    if isinstance(url, ast.Call):
        callee = ctx.callee(url, scope)
        if callee in kb.URL_MAKERS:
            driver = argument(url, 0, "drivername")
            return isinstance(driver, ast.Constant) and isinstance(driver.value, str) \
                and _driver_binds_no_loop(driver.value)
        if callee in kb.ENGINE_URLS and url.args:
            return _url_binds_no_loop(ctx, url.args[0], scope, hops + 1)
        if isinstance(url.func, ast.Attribute) and url.func.attr == "format":
            return _url_binds_no_loop(ctx, url.func.value, scope, hops + 1)
        return False
    if isinstance(url, ast.BinOp) and isinstance(url.op, (ast.Add, ast.Mod)):
        return _url_binds_no_loop(ctx, url.left, scope, hops + 1)
    if isinstance(url, ast.JoinedStr) and url.values:
        url = url.values[0]
    if isinstance(url, ast.Constant) and isinstance(url.value, str) and "://" in url.value:
        return _driver_binds_no_loop(url.value.partition("://")[0])
    return False


def _driver_binds_no_loop(scheme: str) -> bool:
    """``sqlite+aiosqlite``: the driver after the dialect."""
    return scheme.partition("+")[2].strip().lower() in kb.LOOP_FREE_DRIVERS


def _home(ctx: FileContext, name: str, scope: Scope) -> Scope | None:
    """The scope that assigns ``name``: a function's, or the module's."""
    if (owner := ctx.owner(name, scope)) is not None:
        return owner
    return ctx.module_scope if name in ctx.module_scope.assigns else None


def _engine_keeps_no_pool(ctx: FileContext, name: ast.Name, scope: Scope) -> bool:
    owner = _home(ctx, name.id, scope)
    made = [v for v, _ in owner.assigns.get(name.id, [])] if owner else []
    return bool(made) and all(
        isinstance(v, ast.Call) and (callee := ctx.callee(v, owner)) in kb.POOLED_ENGINES
        and _keeps_no_pool(ctx, v, callee, owner) for v in made)


def _names_no_pool(ctx: FileContext, expr: ast.AST | None, scope: Scope, hops: int = 0) -> bool:
    """``NullPool`` in ``expr``, or in what a name there is assigned (``poolclass = NullPool``
    on one path: the pool is the deployment's choice)."""
    if expr is None or hops > _MAX_HOPS:
        return False
    for n in ast.walk(expr):
        if isinstance(n, (ast.Name, ast.Attribute)) and ctx.resolve(n, scope) in kb.NO_POOL:
            return True
        if isinstance(n, ast.Name) and (owner := _home(ctx, n.id, scope)) is not None and any(
                _names_no_pool(ctx, v, owner, hops + 1) for v, _ in owner.assigns.get(n.id, [])):
            return True
    return False


def _options_name_no_pool(ctx: FileContext, options: ast.Name, scope: Scope) -> bool:
    """``options["poolclass"] = NullPool``, ``options = {"poolclass": NullPool}``,
    ``options.update(poolclass=NullPool)`` in the scope that makes the options."""
    owner = _home(ctx, options.id, scope)
    return owner is not None and any(
        _names_no_pool(ctx, value, owner) for value in _pool_options(owner.node, options.id))


def _pool_options(node: ast.AST, options: str) -> Iterator[ast.expr | None]:
    """What ``options`` is given as its ``poolclass``, wherever ``node`` sets it."""
    for n in ast.walk(node):
        if isinstance(n, ast.Assign) and len(n.targets) == 1:
            target = n.targets[0]
            if isinstance(target, ast.Subscript) and is_name(target.value, options) \
                    and isinstance(target.slice, ast.Constant) \
                    and target.slice.value == "poolclass":
                yield n.value
            elif is_name(target, options) and isinstance(n.value, ast.Dict):
                yield from _dict_pool(n.value)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) \
                and n.func.attr == "update" and is_name(n.func.value, options):
            yield from (k.value for k in n.keywords if k.arg == "poolclass")
            for arg in n.args:
                yield from _dict_pool(arg)


def _dict_pool(node: ast.expr) -> Iterator[ast.expr]:
    if isinstance(node, ast.Dict):
        yield from (v for k, v in zip(node.keys, node.values, strict=True)
                    if isinstance(k, ast.Constant) and k.value == "poolclass")


def _given_loop(ctx: FileContext, call: ast.Call, scope: Scope) -> Values:
    """``Connector(loop=asyncio.get_event_loop())``: made for whichever loop runs the call,
    the current one. (A loop the caller chose, ``loop=self._loop``, is its own design; a
    ``loop=True`` flag is not a loop.)"""
    for keyword in call.keywords:
        if keyword.arg in kb.LOOP_KEYWORDS:
            current = [v for v in values_of(ctx, keyword.value, scope)
                       if v.op is Op.LOOP and v.name not in kb.NEW_EVENT_LOOP]
            return tuple(current[:1])
    return ()


def _passes_loop(call: ast.Call) -> bool:
    """``Queue(loop=self._loop)``: the caller names the loop; a getter called right there
    (``loop=asyncio.get_event_loop()``) is the current loop again, not a chosen one."""
    return any(k.arg in kb.LOOP_KEYWORDS and not isinstance(k.value, ast.Call)
               for k in call.keywords)


def guarded_calls(ctx: FileContext) -> set[int]:
    """Calls inside a ``try`` that handles ``RuntimeError`` (there is no loop here)."""
    if "guarded" not in ctx.memo:
        found = set()
        for node, _ in ctx.tries:
            if any(catches_runtime_error(h) for h in node.handlers):
                found.update(id(n) for stmt in node.body for n in ast.walk(stmt)
                             if isinstance(n, ast.Call))
        ctx.memo["guarded"] = found
    return ctx.memo["guarded"]


def _after_new_loop_set(ctx: FileContext) -> set[int]:
    """``get_event_loop()`` calls in the statements that follow, in the same block,
    ``set_event_loop(new_event_loop())`` (or of a local only ever made so): they return the
    loop just made, not one the thread had."""
    if "after_new_loop" not in ctx.memo:
        found: set[int] = set()
        for call_at in ctx.calls:
            if _sets_new_loop(ctx, call_at.node, call_at.scope):
                found.update(_later_in_block(call_at.scope.node, call_at.node))
        ctx.memo["after_new_loop"] = found
    return ctx.memo["after_new_loop"]


def _sets_new_loop(ctx: FileContext, call: ast.Call, scope: Scope) -> bool:
    func = call.func
    named = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if named != "set_event_loop" or not call.args \
            or ctx.callee(call, scope) not in kb.SET_EVENT_LOOP:
        return False
    loop = call.args[0]
    owner = ctx.owner(loop.id, scope) if isinstance(loop, ast.Name) else None
    made = ctx.value_ctors(loop, owner or scope)
    return bool(made) and made <= kb.NEW_EVENT_LOOP


def _later_in_block(function: ast.AST, call: ast.Call) -> Iterator[int]:
    """The calls in the statements after ``call``'s own statement, in its block."""
    for block in _blocks(function):
        at = next((i for i, stmt in enumerate(block)
                   if isinstance(stmt, ast.Expr) and stmt.value is call), None)
        if at is not None:
            yield from (id(n) for stmt in block[at + 1:] for n in walk_here(stmt)
                        if isinstance(n, ast.Call))
            return


def _blocks(node: ast.AST) -> Iterator[list[ast.stmt]]:
    """Every statement list of a function, not those of the functions and classes in it."""
    for child in walk_here(node):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(child, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block


NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def walk_here(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk`` that does not enter nested functions, lambdas or classes."""
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        pending.extend(child for child in ast.iter_child_nodes(current)
                       if not isinstance(child, NESTED))


_HOLDS_STATEMENTS = (ast.stmt, ast.ExceptHandler, ast.match_case)


def statements_here(node: ast.AST) -> Iterator[ast.AST]:
    """The statements ``walk_here`` meets, in its order, without entering expressions
    (no statement is inside one): a fifth of the nodes. (And the clauses that hold them.)"""
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        for name in current._fields:
            children = getattr(current, name, None)
            if isinstance(children, list):
                pending.extend(child for child in children if isinstance(
                    child, _HOLDS_STATEMENTS) and not isinstance(child, NESTED))


def _field_default(ctx: FileContext, call: ast.Call, scope: Scope, hops: int,
                   depth: int) -> Values:
    """``Field(default=x)``, ``field(default=x)``: ``x``, made once for the class. (A
    ``default_factory`` makes one per instance: ``field_factory``.)"""
    keywords = {k.arg: k.value for k in call.keywords}
    return values_of(ctx, keywords.get("default", call.args[0] if call.args else None), scope,
                     hops, depth)


def field_factory(ctx: FileContext, value: ast.expr | None, scope: Scope) -> Values:
    """What ``Field(default_factory=F)`` makes for each instance: ``F()``."""
    if not isinstance(value, ast.Call) or ctx.callee(value, scope) not in kb.FIELD_DECLARATORS:
        return ()
    keywords = {k.arg: k.value for k in value.keywords}
    factory = keywords.get("default_factory", keywords.get("factory"))
    made = ctx.resolve(factory, scope) if factory is not None else None
    return (Value(Op.CALL, made, line=value.lineno),) if made else ()


def _name(ctx: FileContext, name: ast.Name, scope: Scope, hops: int, depth: int) -> Values:
    owner = ctx.owner(name.id, scope)
    if owner is None or name.id == owner.self_name:
        resolved = ctx.resolve(name, scope)
        if resolved is None:
            return ()
        return (Value(Op.CALL if name.id == getattr(owner, "self_name", None) else Op.NAME,
                      resolved, line=name.lineno),)
    key = (id(owner), name.id, hops)
    memo = ctx.memo.setdefault("values", {})
    if key not in memo:
        memo[key] = ()  # a local defined from itself (``x = f(x)``) adds nothing
        memo[key] = _local(ctx, name, owner, hops, depth)
    return memo[key]


def _local(ctx: FileContext, name: ast.Name, owner: Scope, hops: int, depth: int) -> Values:
    assigned = owner.assigns.get(name.id, [])
    found: Values = ()
    if name.id in owner.params and not assigned:
        found = (Value(Op.PARAM, owner.qualname, owner.params.index(name.id)),)
    if name.id in owner.annotations:
        found += annotated(ctx, owner.annotations[name.id], owner.parent or owner)
    if hops < _MAX_HOPS:
        excluded = _excluded_types(ctx, owner)
        found += _union(_narrowed(values_of(ctx, value, owner, hops + 1, depth),
                                  excluded.get(id(value), ()))
                        for value, _ in assigned[:_MAX_ITEMS])
        if any(_empty_list(value) for value, _ in assigned):
            found += _appended(ctx, name.id, owner, hops, depth)
    return found


def _empty_list(node: ast.AST) -> bool:
    return isinstance(node, ast.List) and not node.elts


def _appended(ctx: FileContext, name: str, owner: Scope, hops: int, depth: int) -> Values:
    """``pools = []`` then ``pools.append(Pool())`` in the same function: a list that holds
    what is appended, as a list literal holds its elements."""
    added = _appends(ctx).get((id(owner), name), [])[:_MAX_ITEMS]
    if not added:
        return ()
    elements = _union(values_of(ctx, arg, owner, hops + 1, depth) for arg in added)
    return (Value(Op.TUPLE, parts=(Value(Op.ANY, parts=elements),)),) if elements else ()


def _appends(ctx: FileContext) -> dict[tuple[int, str], list[ast.expr]]:
    """What each function's ``local.append(x)`` calls add, by (scope, local)."""
    if "appends" not in ctx.memo:
        found: dict[tuple[int, str], list[ast.expr]] = {}
        for call_at in ctx.calls:
            func = call_at.node.func
            if isinstance(func, ast.Attribute) and func.attr == "append" \
                    and isinstance(func.value, ast.Name) and len(call_at.node.args) == 1:
                found.setdefault((id(call_at.scope), func.value.id), []).append(
                    call_at.node.args[0])
        ctx.memo["appends"] = found
    return ctx.memo["appends"]


def _narrowed(values: Values, excluded: tuple[str, ...]) -> Values:
    for name in excluded:
        values = tuple(Value(Op.EXCEPT, name, parts=(v,)) for v in values)
    return values


def _excluded_types(ctx: FileContext, owner: Scope) -> dict[int, tuple[str, ...]]:
    """``if isinstance(x, T): ... else: y = x``: the ``x`` stored in the else (or an elif)
    is not a ``T``. Maps each such assigned ``x`` (by node id) to the types it is not."""
    memo = ctx.memo.setdefault("excluded", {})
    if id(owner) not in memo:
        found: dict[int, tuple[str, ...]] = {}
        for node in statements_here(owner.node):
            if isinstance(node, ast.If) and (test := _isinstance_test(ctx, node.test, owner)):
                name, types = test
                for stmt in node.orelse:
                    for inner in statements_here(stmt):
                        if isinstance(inner, (ast.Assign, ast.AnnAssign)) \
                                and is_name(inner.value, name):
                            found[id(inner.value)] = found.get(id(inner.value), ()) + types
        memo[id(owner)] = found
    return memo[id(owner)]


def _isinstance_test(ctx: FileContext, test: ast.expr,
                     scope: Scope) -> tuple[str, tuple[str, ...]] | None:
    """``isinstance(x, T)`` / ``isinstance(x, (T, U))`` -> ("x", (T, U)), names qualified."""
    if not (isinstance(test, ast.Call) and is_name(test.func, "isinstance")
            and len(test.args) == 2 and isinstance(test.args[0], ast.Name)):
        return None
    kinds = test.args[1]
    elts = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds]
    names = tuple(n for e in elts if (n := ctx.resolve(e, scope)))
    return (test.args[0].id, names) if names and len(names) == len(elts) else None


def _attribute(ctx: FileContext, attr: ast.Attribute, scope: Scope, hops: int,
               depth: int) -> Values:
    resolved = ctx.resolve(attr, scope)
    if resolved is not None:
        return (Value(Op.NAME, resolved, line=attr.lineno),)
    base = values_of(ctx, attr.value, scope, hops, depth)
    return tuple(Value(Op.ATTR, attr.attr, parts=(b,)) for b in base[:_MAX_ITEMS])


def _tuple(ctx: FileContext, elts: list[ast.expr], scope: Scope, hops: int,
           depth: int) -> Value:
    parts = []
    for elt in elts[:_MAX_ITEMS]:
        found = values_of(ctx, elt, scope, hops, depth)
        parts.append(found[0] if len(found) == 1 else Value(Op.ANY, parts=found))
    return Value(Op.TUPLE, parts=tuple(parts))


def _union(groups) -> Values:
    out: list[Value] = []
    for group in groups:
        out.extend(v for v in group if v not in out)
    return tuple(out[:_MAX_ITEMS])
