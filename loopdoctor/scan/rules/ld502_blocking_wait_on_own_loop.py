"""LD502: ``run_coroutine_threadsafe(coro, running_loop).result()``."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.context import FileContext, Scope
from loopdoctor.scan.model import Candidate
from loopdoctor.scan.rules.base import Rule

_RUNNING = kb.RUNNING_LOOP_GETTERS

MESSAGE = ("`run_coroutine_threadsafe(...).result()` on the running loop: this thread blocks "
           "the very loop that must run the coroutine (deadlock)")


def collect(ctx: FileContext) -> Iterator[Candidate]:
    for call_at in ctx.calls:
        call, scope = call_at.node, call_at.scope
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "result" \
                and _submits_to_running_loop(ctx, func.value, scope):
            yield RULE.candidate(ctx.site(call, scope), MESSAGE)


def _submits_to_running_loop(ctx: FileContext, expr: ast.expr, scope: Scope) -> bool:
    calls = [expr] if isinstance(expr, ast.Call) else (
        ctx.assigned_calls(expr.id, scope) if isinstance(expr, ast.Name) else [])
    for call in calls:
        if ctx.callee(call, scope) not in kb.RUN_COROUTINE_THREADSAFE:
            continue
        loop = call.args[1] if len(call.args) > 1 else next(
            (k.value for k in call.keywords if k.arg == "loop"), None)
        if loop is not None and _is_running_loop(ctx, loop, scope):
            return True
    return False


def _is_running_loop(ctx: FileContext, expr: ast.expr, scope: Scope) -> bool:
    if isinstance(expr, ast.Call):
        return ctx.callee(expr, scope) in _RUNNING
    if isinstance(expr, ast.Name):
        return any(ctx.callee(c, scope) in _RUNNING for c in ctx.assigned_calls(expr.id, scope))
    return False


RULE = Rule(
    code="LD502",
    name="blocking-wait-on-own-loop",
    summary="run_coroutine_threadsafe(coro, loop).result() where loop is the running loop.",
    needs=(("asyncio",), ("run_coroutine_threadsafe",)),
    collect=collect,
    doc="""\
## Why
`run_coroutine_threadsafe` schedules the coroutine on `loop` and `.result()` blocks the
calling thread until it finishes. When `loop` is this thread's running loop, the loop is
the thing being blocked: the coroutine never starts and the thread waits forever.
Submitting to a *different* loop (a portal's background loop) is the right pattern and is
not reported.

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
