"""LD502: ``run_coroutine_threadsafe(coro, running_loop).result()``."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.context import FileContext, Scope, argument, is_name
from loopdoctor.scan.model import Candidate
from loopdoctor.scan.rules.base import Rule

_RUNNING = kb.RUNNING_LOOP_GETTERS

MESSAGE = ("`run_coroutine_threadsafe(...).result()` on the running loop: this thread blocks "
           "the very loop that must run the coroutine (deadlock)")


_CALLBACK_METHODS = frozenset({"call_soon", "call_soon_threadsafe", "call_later", "call_at",
                               "add_done_callback", "add_signal_handler", "add_reader",
                               "add_writer"})


def collect(ctx: FileContext) -> Iterator[Candidate]:
    callbacks = _callbacks(ctx)
    own_loops, awaited_from = _own_loops(ctx), _called_from_coroutines(ctx)
    for call_at in ctx.calls:
        call, scope = call_at.node, call_at.scope
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr != "result":
            continue
        loop = _submitted_to(ctx, func.value, scope)
        if loop is None:
            continue
        if _is_running_loop(ctx, loop, scope):
            if _own_loop_refused_before(ctx, loop, call, scope):
                continue
            yield RULE.candidate(ctx.site(call, scope), MESSAGE)
        elif isinstance(loop, ast.Attribute) and scope.qualname in callbacks:
            name, line = scope.qualname.rsplit(".", 1)[-1], callbacks[scope.qualname]
            yield RULE.candidate(ctx.site(call, scope), (
                f"`run_coroutine_threadsafe(...).result()` in `{name}`, a callback an event loop "
                f"runs (registered at line {line}): on the loop's own thread this blocks the "
                f"very loop that must run the coroutine (deadlock)"))
        elif _attribute_of_self(loop, scope) in own_loops.get(scope.cls or "", ()) \
                and scope.qualname in awaited_from:
            name, caller = scope.qualname.rsplit(".", 1)[-1], awaited_from[scope.qualname]
            yield RULE.candidate(ctx.site(call, scope), (
                f"`run_coroutine_threadsafe(...).result()` in `{name}` waits on the loop the "
                f"object took (`self.{loop.attr}`), and the coroutine `{caller}` calls `{name}` "
                f"on that loop: it blocks the very loop that must run the coroutine (deadlock)"))


def _submitted_to(ctx: FileContext, expr: ast.expr, scope: Scope) -> ast.expr | None:
    """The loop of ``run_coroutine_threadsafe(coro, loop)`` that ``expr`` is the future of."""
    calls = [expr] if isinstance(expr, ast.Call) else (
        ctx.assigned_calls(expr.id, scope) if isinstance(expr, ast.Name) else [])
    for call in calls:
        if ctx.callee(call, scope) in kb.RUN_COROUTINE_THREADSAFE \
                and not _not_a_coroutine(ctx, argument(call, 0, "coro"), scope):
            return argument(call, 1, "loop")
    return None


_TASK_METHODS = frozenset({"create_task", "ensure_future", "create_future"})
_TASK_MAKERS = kb.ENSURE_FUTURE | {"asyncio.create_task", "asyncio.tasks.create_task",
                                   "asyncio.Task", "asyncio.Future"}


def _not_a_coroutine(ctx: FileContext, expr: ast.expr | None, scope: Scope) -> bool:
    """``expr`` is a Task or Future (``loop.create_task(coro)``, a local only ever set to
    one) or a function (one defined here, or a name the function also calls: ``factory``
    beside ``factory()``), not a coroutine: ``run_coroutine_threadsafe`` raises TypeError on
    it before any wait, so nothing blocks."""
    def made(call: ast.expr) -> bool:
        return isinstance(call, ast.Call) and (
            ctx.callee(call, scope) in _TASK_MAKERS
            or (isinstance(call.func, ast.Attribute) and call.func.attr in _TASK_METHODS))

    if isinstance(expr, ast.Name):
        values = [v for v, _ in scope.assigns.get(expr.id, [])]
        return (bool(values) and all(made(v) for v in values)) or _a_function(expr.id, scope)
    return expr is not None and made(expr)


def _a_function(name: str, scope: Scope) -> bool:
    found: Scope | None = scope
    while found is not None and name not in found.local_defs:
        if name in found.locals or name in found.params:
            found = None
            break
        found = found.parent
    return found is not None or any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name
        for n in ast.walk(scope.node))


def _callbacks(ctx: FileContext) -> dict[str, int]:
    """Functions handed to a loop as callbacks (``loop.call_soon(self._on_event)``)."""
    found: dict[str, int] = {}
    for call_at in ctx.calls:
        func = call_at.node.func
        if isinstance(func, ast.Attribute) and func.attr in _CALLBACK_METHODS:
            for arg in call_at.node.args:
                if isinstance(arg, (ast.Name, ast.Attribute)) \
                        and (name := ctx.resolve(arg, call_at.scope)) is not None:
                    found.setdefault(name, call_at.node.lineno)
    return found


def _own_loops(ctx: FileContext) -> dict[str, set[str]]:
    """Class -> attributes its methods set to the current loop (``self._loop =
    asyncio.get_event_loop()``): the loop of the thread that made or started the object, not
    a loop it made for a thread of its own (any other value stored there, or a store in a
    function that makes or sets a loop, rules the attribute out)."""
    taken: dict[str, set[str]] = {}
    other: set[tuple[str, str]] = set()
    makers = {id(c.scope) for c in ctx.calls
              if ctx.callee(c.node, c.scope) in kb.NEW_EVENT_LOOP | kb.SET_EVENT_LOOP}
    for target, value, scope in ctx.attr_stores:
        if (attr := _attribute_of_self(target, scope)) is None:
            continue
        if isinstance(value, ast.Call) and ctx.callee(value, scope) in _RUNNING \
                and id(scope) not in makers:
            taken.setdefault(scope.cls or "", set()).add(attr)
        else:
            other.add((scope.cls or "", attr))
    return {cls: {a for a in attrs if (cls, a) not in other} for cls, attrs in taken.items()}


def _called_from_coroutines(ctx: FileContext) -> dict[str, str]:
    """Sync methods a coroutine method of their class calls without awaiting them
    (``self.get()`` in ``async def handler``) -> that coroutine's name: they run on the
    coroutine's loop."""
    found: dict[str, str] = {}
    for call_at in ctx.calls:
        scope, func = call_at.scope, call_at.node.func
        if scope.is_async and scope.cls and _attribute_of_self(func, scope):
            found.setdefault(f"{scope.cls}.{func.attr}", scope.qualname.rsplit(".", 1)[-1])
    return found


def _attribute_of_self(expr: ast.expr, scope: Scope) -> str | None:
    """``x`` of ``self.x`` in a method."""
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) \
            and scope.self_name is not None and expr.value.id == scope.self_name:
        return expr.attr
    return None


def _own_loop_refused_before(ctx: FileContext, loop: ast.expr, call: ast.Call,
                             scope: Scope) -> bool:
    """A statement of the function's body before the wait leaves it when ``loop`` is the
    running loop (``if loop.is_running() and loop == asyncio.get_running_loop(): raise``):
    the wait runs only on a loop of another thread."""
    body = getattr(scope.node, "body", None)
    if not isinstance(loop, ast.Name) or not isinstance(body, list):
        return False
    for stmt in body:
        if stmt.lineno >= call.lineno:
            return False
        if isinstance(stmt, ast.If) and stmt.body \
                and isinstance(stmt.body[-1], (ast.Raise, ast.Return)) \
                and _tests_own_loop(ctx, stmt.test, loop.id, scope):
            return True
    return False


def _tests_own_loop(ctx: FileContext, test: ast.expr, name: str, scope: Scope) -> bool:
    """``loop == get_running_loop()`` (or ``is``), alone or joined by ``and`` with
    ``loop.is_running()``: true whenever ``loop`` is the running loop."""
    parts = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) \
        else [test]
    compares = [p for p in parts if isinstance(p, ast.Compare) and len(p.ops) == 1
                and isinstance(p.ops[0], (ast.Eq, ast.Is))
                and _is_loop_and_running(ctx, p.left, p.comparators[0], name, scope)]
    probes = [p for p in parts if isinstance(p, ast.Call) and not p.args
              and isinstance(p.func, ast.Attribute) and p.func.attr == "is_running"
              and is_name(p.func.value, name)]
    return bool(compares) and len(compares) + len(probes) == len(parts)


def _is_loop_and_running(ctx: FileContext, left: ast.expr, right: ast.expr, name: str,
                         scope: Scope) -> bool:
    def running(e: ast.expr) -> bool:
        return isinstance(e, ast.Call) and ctx.callee(e, scope) in kb.RUNNING_LOOP_PROBES

    return (is_name(left, name) and running(right)) or (running(left) and is_name(right, name))


def _is_running_loop(ctx: FileContext, expr: ast.expr, scope: Scope) -> bool:
    if isinstance(expr, ast.Call):
        return ctx.callee(expr, scope) in _RUNNING
    if isinstance(expr, ast.Name):
        return any(ctx.callee(c, scope) in _RUNNING for c in ctx.assigned_calls(expr.id, scope))
    return False


RULE = Rule(
    code="LD502",
    name="blocking-wait-on-own-loop",
    summary="run_coroutine_threadsafe(coro, loop).result() where loop is the running loop, in "
            "a callback that loop runs, or in a sync method a coroutine of the same object "
            "calls while loop is the one the object took.",
    needs=(("asyncio",), ("run_coroutine_threadsafe",)),
    collect=collect,
    doc="""\
## Why
`run_coroutine_threadsafe` schedules the coroutine on `loop` and `.result()` blocks the
calling thread until it finishes. When `loop` is this thread's running loop, the loop is
the thing being blocked: the coroutine never starts and the thread waits forever. The same
holds for `self._loop` when the waiting function is a callback that loop runs
(`self._loop.call_soon_threadsafe(self._on_message)`): it runs on the loop's own thread;
and for a sync method that waits on the loop its object took (`self._loop =
asyncio.get_event_loop()` or `get_running_loop()`) when a coroutine method of the same
object calls it directly: that coroutine runs on the loop the method blocks.
Submitting to a *different* loop (a portal's background loop) from another thread is the
right pattern and is not reported; nor is handing it something that is not a coroutine (a
Task, a Future, the coroutine function itself rather than a call of it): that raises
`TypeError` at once, before anything waits.

## Bad
```python
def sync_tool(q):
    loop = asyncio.get_event_loop()
    return asyncio.run_coroutine_threadsafe(ask(q), loop).result()
```

## Good
```python
def sync_tool(q):
    return asyncio.run_coroutine_threadsafe(ask(q), portal.loop).result()
```

## Fix
Submit to a loop running in another thread (one that owns the client), or make the
caller async and `await` the coroutine.
""",
)
