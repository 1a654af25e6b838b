"""LD501: asyncio.run / run_until_complete inside ``async def``."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.context import (
    CallAt,
    FileContext,
    Scope,
    catches_runtime_error,
    method_name,
)
from loopdoctor.scan.loops import LoopKind, api_label, loop_sites
from loopdoctor.scan.model import Candidate, Finding
from loopdoctor.scan.project import Project
from loopdoctor.scan.rules.base import Rule


def check(project: Project) -> Iterator[Finding]:
    if any(file.nest_asyncio for file in project.files):
        return  # nest_asyncio.apply() makes nested loops legal for the whole process
    for site in loop_sites(project):
        if site.kind is LoopKind.NESTED and site.function is not None \
                and not project.dead_private(site.function):
            name = site.function.qualname.rsplit(".", 1)[-1]
            where = (f"in `{name}` of `{site.function.cls.rsplit('.', 1)[-1]}`, which "
                     f"{site.maker} makes" if site.maker else f"inside `async def {name}`")
            yield RULE.finding(site.file, site.start.site, (
                f"`{api_label(site.start)}` {where}: a loop is already running in this "
                f"thread; await the coroutine instead"))


def collect(ctx: FileContext) -> Iterator[Candidate]:
    """A coroutine calls, without a thread in between, a sync function of this file that
    runs a loop unconditionally (``asyncio.run``, ``run_until_complete``): the call raises
    "cannot be called from a running event loop" (or "This event loop is already running")."""
    if any(t.split(".")[0] == "nest_asyncio" for s in ctx.scopes for t in s.imports.values()):
        return
    starts = [(call_at, api) for call_at in ctx.calls if _sync_function(call_at.scope)
              and (api := _runs_loop(ctx, call_at.node, call_at.scope))]
    if not starts:
        return  # most files: no need to walk their ifs and trys
    yield from _finalizers_running_loops(ctx, _unguarded(ctx, starts, if_guards=False))
    runners: dict[str, str] = {}
    for call_at, api in _unguarded(ctx, starts, if_guards=True):
        runners.setdefault(call_at.scope.qualname, api)
    for call_at in ctx.calls:
        scope = call_at.scope
        if scope.is_async and (api := runners.get(ctx.callee(call_at.node, scope) or "")):
            callee = ctx.callee(call_at.node, scope).rsplit(".", 1)[-1]
            caller = scope.qualname.rsplit(".", 1)[-1]
            yield RULE.candidate(ctx.site(call_at.node, scope), (
                f"`async def {caller}` calls `{callee}`, which runs `{api}`: a loop is already "
                f"running in this thread; await the coroutine that `{callee}` runs instead"))


def _finalizers_running_loops(ctx: FileContext, starts: list[tuple[CallAt, str]]
                              ) -> Iterator[Candidate]:
    """``__del__`` runs a loop (``self._loop.run_until_complete(self._session.close())``):
    the collector calls it wherever the object's last reference goes, inside a coroutine too,
    where a loop already runs in this thread. One that asks whether a loop runs first, or
    starts it under ``except RuntimeError``, is fine; an ``if`` on the object's own state
    (``if self._session:``) is no such guard."""
    for call_at, api in starts:
        if call_at.scope.qualname.rsplit(".", 1)[-1] == "__del__":
            yield RULE.candidate(ctx.site(call_at.node, call_at.scope), (
                f"`__del__` runs `{api}`: the object is collected wherever its last reference "
                f"goes, inside a coroutine too, where a loop is already running in this thread "
                f"(\"This event loop is already running\"); close it with an awaited method "
                f"(`aclose()`, `async with`) instead"))


def _unguarded(ctx: FileContext, starts: list[tuple[CallAt, str]],
               if_guards: bool) -> list[tuple[CallAt, str]]:
    """The loop starts of sync functions that run a loop whatever happens: not in a
    function that asks whether a loop runs first, nor under ``except RuntimeError`` (nor,
    with ``if_guards``, only under an ``if``)."""
    tolerant = {id(n) for node, _ in ctx.tries if any(map(catches_runtime_error, node.handlers))
                for stmt in node.body for n in ast.walk(stmt)}
    if if_guards:
        tolerant |= {id(n) for node, _ in ctx.ifs for stmt in [*node.body, *node.orelse]
                     for n in ast.walk(stmt)}
    asking = {id(c.scope) for c in ctx.calls
              if ctx.callee(c.node, c.scope) in kb.RUNNING_LOOP_PROBES
              or method_name(c.node) == "is_running"}
    return [(call_at, api) for call_at, api in starts
            if id(call_at.scope) not in asking and id(call_at.node) not in tolerant]


def _runs_loop(ctx: FileContext, call: ast.Call, scope: Scope) -> str:
    if ctx.callee(call, scope) in kb.ASYNCIO_RUN:
        return "asyncio.run"
    return "run_until_complete" if method_name(call) == "run_until_complete" else ""


def _sync_function(scope: Scope) -> bool:
    return scope.kind == "function" and not scope.is_async


RULE = Rule(
    code="LD501",
    name="loop-inside-async-def",
    summary="asyncio.run / run_until_complete called inside async def, in __init__ of a "
            "class that async def makes, in a sync helper a coroutine calls directly, or in "
            "__del__.",
    needs=(("asyncio", "run_until_complete"),),
    collect=collect,
    check=check,
    doc="""\
## Why
Inside `async def` a loop is already running in this thread. `asyncio.run` raises
"cannot be called from a running event loop"; `run_until_complete` raises "This event loop
is already running" (or, on another loop, "Cannot run the event loop while another loop is
running"). The same holds for a sync helper of the same file that runs a loop and that a
coroutine calls directly (not through `asyncio.to_thread` or an executor), unless the
helper first asks whether a loop runs, or starts its loop only under an `if` or under
`except RuntimeError`. A `__del__` that runs a loop (closing a session with
`self._loop.run_until_complete(...)`) is the same: the object is collected wherever its last
reference goes, inside a coroutine too; only asking whether a loop runs, or `except
RuntimeError`, guards it. Projects that apply `nest_asyncio` are not reported, nor the
`async def test*` methods of a sync `unittest.TestCase`: its runner calls them and drops
the coroutine, so no loop runs them (a test that never runs, which is another bug), nor a
private coroutine nothing in the project uses (dead code).

## Bad
```python
async def handler(q):
    return asyncio.run(ask(q))
```

## Good
```python
async def handler(q):
    return await ask(q)
```

## Fix
Await the coroutine. If a sync function in between forces a bridge, make it async too.
""",
)
