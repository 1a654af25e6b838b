"""LD504: ``asyncio.run`` fails because a loop runs, and the handler runs the coroutine on it."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.context import FileContext, Scope, catches_runtime_error
from loopdoctor.scan.model import Candidate
from loopdoctor.scan.rules.base import Rule

MESSAGE = ("the handler of `asyncio.run`'s \"cannot be called from a running event loop\" "
           "runs the coroutine with `run_until_complete` on the current loop, which is that "
           "running loop: \"This event loop is already running\" (or a deadlock under a "
           "patched loop)")


def collect(ctx: FileContext) -> Iterator[Candidate]:
    for node, scope in ctx.tries:
        if not any(isinstance(n, ast.Call) and ctx.callee(n, scope) in kb.ASYNCIO_RUN
                   for stmt in node.body for n in ast.walk(stmt)):
            continue
        for handler in node.handlers:
            if catches_runtime_error(handler) and not _handles_running_loop(ctx, handler, scope):
                for call in _runs_on_current_loop(ctx, handler, scope):
                    yield RULE.candidate(ctx.site(call, scope), MESSAGE)


def _handles_running_loop(ctx: FileContext, handler: ast.ExceptHandler, scope: Scope) -> bool:
    """The handler asks whether the loop runs, or makes a loop of its own (in a thread)."""
    for n in (n for stmt in handler.body for n in ast.walk(stmt)):
        if isinstance(n, ast.Attribute) and n.attr == "is_running":
            return True
        if isinstance(n, ast.Call) and ctx.callee(n, scope) in kb.NEW_EVENT_LOOP:
            return True
    return False


def _runs_on_current_loop(ctx: FileContext, handler: ast.ExceptHandler,
                          scope: Scope) -> Iterator[ast.Call]:
    for n in (n for stmt in handler.body for n in ast.walk(stmt)):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) \
                and n.func.attr == "run_until_complete" and _current_loop(ctx, n.func.value, scope):
            yield n


def _current_loop(ctx: FileContext, expr: ast.expr, scope: Scope) -> bool:
    """``get_event_loop()``, or a local that only ever holds it."""
    if isinstance(expr, ast.Call):
        return ctx.callee(expr, scope) in kb.RUNNING_LOOP_GETTERS
    if isinstance(expr, ast.Name):
        made = [ctx.callee(c, scope) for c in ctx.assigned_calls(expr.id, scope)]
        return bool(made) and all(m in kb.RUNNING_LOOP_GETTERS for m in made)
    return False


RULE = Rule(
    code="LD504",
    name="run-anyway-in-running-loop",
    summary="A sync wrapper catches asyncio.run's running-loop error and runs the coroutine "
            "with run_until_complete on that same running loop.",
    needs=(("asyncio",), ("run_until_complete",)),
    collect=collect,
    doc="""\
## Why
`asyncio.run` raises "cannot be called from a running event loop" when the calling thread
already runs a loop: inside a notebook, a gateway's handler, an async framework. A wrapper
that catches that `RuntimeError` and falls back to
`asyncio.get_event_loop().run_until_complete(coro)` hands the coroutine to that very loop,
which is busy running the caller: "This event loop is already running". With a patched
loop (`nest_asyncio`) it re-enters the loop and can deadlock on anything the outer task
holds. Handlers that check `loop.is_running()` first, or make a new loop in a thread, are
not reported (LD102 judges those bridges).

## Bad
```python
def run_sync(coro):
    try:
        return asyncio.run(coro)
    except RuntimeError:
        return asyncio.get_event_loop().run_until_complete(coro)
```

## Good
```python
async def handler():
    return await coro_function()  # async all the way up

def run_sync(coro):  # or: refuse, and say what to call instead
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    raise RuntimeError("run_sync() called from a running loop: await the coroutine")
```

## Fix
Await the coroutine from async code; where a sync API must exist, refuse inside a running
loop, or run the coroutine on a loop the wrapper owns in another thread (a portal).
""",
)
