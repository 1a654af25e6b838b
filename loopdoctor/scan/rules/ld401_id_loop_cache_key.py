"""LD401: ``id(loop)`` in a cache key."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from loopdoctor.scan.context import FileContext, Scope, is_name
from loopdoctor.scan.model import Candidate
from loopdoctor.scan.rules.base import Rule

_KEY_METHODS = frozenset({"get", "setdefault", "pop", "__contains__", "__getitem__"})
MESSAGE = ("`id(loop)` in a cache key: ids are reused once a loop is collected, and the cache "
           "keeps one client (and its sockets) per loop it has ever seen")


def collect(ctx: FileContext) -> Iterator[Candidate]:
    if not any(isinstance(c.node.func, ast.Name) and c.node.func.id == "id" for c in ctx.calls):
        return  # every finding is an ``id(...)`` call, and the index holds each call
    seen: set[int] = set()
    for key, scope in _key_positions(ctx):
        calls = ctx.id_loop_calls(key, scope)  # first: most keys have none, and it is cheap
        if not calls or (isinstance(key, ast.Name) and _entry_dies_with_call(scope.node, key.id)):
            continue
        for call in calls:
            if id(call) not in seen and not _identity_checked(ctx, call, scope):
                seen.add(id(call))
                yield RULE.candidate(ctx.site(call, scope), MESSAGE)


def _entry_dies_with_call(func: ast.AST, key: str) -> bool:
    """Every entry this function stores under the local ``key`` is removed in the ``finally``
    of a ``try`` that holds the store or comes right after it (``_in_flight[key] = future``,
    then ``try: ... finally: _in_flight.pop(key, None)``): the entry lives only while the
    call runs on its loop, so no later loop can find it under a reused id."""
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    stores = [n for n in ast.walk(func) if _stores_under(n, key)]
    if not stores:
        return False
    guarded: list[ast.AST] = []
    for node in ast.walk(func):
        for field in ("body", "orelse", "finalbody"):
            stmts = getattr(node, field, None)
            if not isinstance(stmts, list):
                continue
            for i, stmt in enumerate(stmts):
                if isinstance(stmt, ast.Try) and _removes(stmt.finalbody, key):
                    guarded.extend(stmt.body)
                    if i > 0:
                        guarded.append(stmts[i - 1])
    inside = {id(n) for g in guarded for n in ast.walk(g)}
    return all(id(s) in inside for s in stores)


def _stores_under(node: ast.AST, key: str) -> bool:
    """``c[key] = v`` or ``c.setdefault(key, v)``."""
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Subscript) and is_name(t.slice, key) for t in node.targets)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
        and node.func.attr == "setdefault" and bool(node.args) and is_name(node.args[0], key)


def _removes(stmts: list[ast.stmt], key: str) -> bool:
    """``c.pop(key, ...)`` or ``del c[key]`` in these statements."""
    for node in (n for s in stmts for n in ast.walk(s)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "pop" and node.args and is_name(node.args[0], key):
            return True
        if isinstance(node, ast.Delete) and any(
                isinstance(t, ast.Subscript) and is_name(t.slice, key) for t in node.targets):
            return True
    return False


def _identity_checked(ctx: FileContext, call: ast.Call, scope: Scope) -> bool:
    """The loop is also compared by identity (``entry[0] is not loop``): a reused id is caught."""
    loop = call.args[0]
    if not isinstance(loop, ast.Name):
        return False
    return any(c_scope is scope and _is_compare_with(compare, loop.id)
               for compare, c_scope in ctx.compares)


def _is_compare_with(compare: ast.Compare, name: str) -> bool:
    sides = [compare.left, *compare.comparators]
    named = [s for s in sides if isinstance(s, ast.Name) and s.id == name]
    others = [s for s in sides if s not in named]
    return (any(isinstance(op, (ast.Is, ast.IsNot)) for op in compare.ops) and bool(named)
            and not any(isinstance(s, ast.Constant) for s in others))


def _key_positions(ctx: FileContext) -> Iterator[tuple[ast.AST, Scope]]:
    """Keys into containers that outlive the call: module, class or instance level."""
    for subscript, scope in ctx.subscripts:
        if _long_lived(ctx, subscript.value, scope):
            yield subscript.slice, scope
    for compare, scope in ctx.compares:
        if any(isinstance(op, (ast.In, ast.NotIn)) for op in compare.ops) and any(
                _long_lived(ctx, c, scope) for c in compare.comparators):
            yield compare.left, scope
    for call_at in ctx.calls:
        func = call_at.node.func
        if isinstance(func, ast.Attribute) and func.attr in _KEY_METHODS and call_at.node.args \
                and _long_lived(ctx, func.value, call_at.scope):
            yield call_at.node.args[0], call_at.scope


def _long_lived(ctx: FileContext, container: ast.expr, scope: Scope) -> bool:
    """Not a dict local to the function (``seen = {}``), which dies with the call."""
    root = container
    while isinstance(root, (ast.Attribute, ast.Subscript)):
        root = root.value
    if not isinstance(root, ast.Name):
        return False
    owner = ctx.owner(root.id, scope)
    return owner is None or root.id == owner.self_name or root is not container


RULE = Rule(
    code="LD401",
    name="id-loop-cache-key",
    summary="id(loop) (or id(asyncio.get_running_loop())) used in a cache key.",
    needs=(("id(",), ("loop",)),
    needs_pattern=r"\bid\(\s*[\w.]*loop",
    collect=collect,
    doc="""\
## Why
Keying clients by `id(loop)` stops loops from sharing a client, but an id is only unique
while its object lives: after a loop is garbage-collected a new loop can get the same id
and the dead loop's client. Worse, nothing evicts entries, and a used keep-alive client
pins its loop: 200 sequential `asyncio.run` calls leave 200 unclosed clients and sockets.

## Bad
```python
_clients = {}

def get_client():
    key = id(asyncio.get_running_loop())
    if key not in _clients:
        _clients[key] = AsyncOpenAI()
    return _clients[key]
```

## Good
```python
_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

def get_client():
    loop = asyncio.get_running_loop()
    if loop not in _clients:
        _clients[loop] = AsyncOpenAI()  # and close it when the loop's owner shuts down
    return _clients[loop]
```

## Fix
Key by the loop object, and close each loop's clients from the code that owns the loop's
lifetime before the loop closes (or do not cache: one client per `async with` block).
""",
)
