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
from loopdoctor.scan.model import Candidate, FileFacts, Finding, Function, LoopStart
from loopdoctor.scan.project import Project, private
from loopdoctor.scan.rules.base import Rule

_MIRRORED = 3  # public sync methods that run a loop: a sync client, not one wrapper


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
    yield from _sync_methods_beside_coroutines(project)


def _sync_methods_beside_coroutines(project: Project) -> Iterator[Finding]:
    """A sync client mirroring an async one: a class with public coroutine methods (its own
    or a base's) and at least ``_MIRRORED`` public sync methods that each run a loop
    (``asyncio.run(self.get_async())``). Whoever holds the object awaits those coroutines
    inside a running loop, and calls its sync methods there too; one convenience wrapper
    (``run_sync``), documented for scripts, is left alone."""
    by_class: dict[str, list[tuple[str, Function, FileFacts]]] = {}
    for name, (fn, file) in sorted(project.functions.items()):
        if fn.loop_starts and _public_sync_method(project, fn, file) \
                and not _asks_for_running_loop(project, fn) \
                and any(_runs_here(start) for start in fn.loop_starts):
            by_class.setdefault(fn.cls or "", []).append((name, fn, file))
    for cls, methods in sorted(by_class.items()):
        coroutines = _public_coroutine_methods(project, cls) \
            if len(methods) >= _MIRRORED else []
        for name, fn, file in methods if coroutines else ():
            method = name.rsplit(".", 1)[-1]
            short = cls.rsplit(".", 1)[-1]
            for start in filter(_runs_here, fn.loop_starts):
                runs = {run.rsplit(".", 1)[-1] for run in start.coro.runs}
                named = next((c for c in coroutines if c in runs), coroutines[0])
                yield RULE.finding(file, start.site, (
                    f"`{short}.{method}` runs `{api_label(start)}`, and `{short}` also offers "
                    f"coroutine methods (`{named}`): code that awaits those runs a loop in "
                    f"this thread, and `{method}()` called there raises; ask for a running "
                    f"loop first and run the coroutine on another thread's loop when one runs"))


def _runs_here(start: LoopStart) -> bool:
    return not start.in_thread and start.api in ("asyncio.run", "run_until_complete")


def _public_sync_method(project: Project, fn: Function, file: FileFacts) -> bool:
    """A sync method of a class, public by name, in a library's code, that runs in the
    caller's thread and neither tries a fresh loop first nor asks whether a loop runs."""
    method = fn.qualname.rsplit(".", 1)[-1]
    return not fn.is_async and fn.cls is not None and fn.qualname == f"{fn.cls}.{method}" \
        and not method.startswith("_") and not private(fn) \
        and not fn.checks_running_loop and not fn.fresh_loop_preferred \
        and not fn.warns_running_loop \
        and fn.qualname not in project.thread_run and not project.program_code(fn, file)


def _asks_for_running_loop(project: Project, fn: Function) -> bool:
    """It asks a sync helper of the project whether a loop runs
    (``if in_running_loop(): raise RuntimeError("await get_async() instead")``)."""
    return any(callee.checks_running_loop and not callee.is_async
               for callee in project.callees(fn))


def _public_coroutine_methods(project: Project, cls: str) -> list[str]:
    """The public ``async def`` methods of a class and its project bases, by name."""
    return sorted({name.rsplit(".", 1)[-1] for name in project.methods(cls)
                   if project.functions[name][0].is_async
                   and not name.rsplit(".", 1)[-1].startswith("_")})


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
            "class that async def makes, in a sync helper a coroutine calls directly, in "
            "__del__, or in a public sync method of a class that also offers public coroutine "
            "methods.",
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
RuntimeError`, guards it. So is a sync client that mirrors an async one: a class that
offers public coroutine methods (`stations_async()`, its own or a base's) and three or more
public sync methods that each run a coroutine with `asyncio.run` or `run_until_complete`
(`stations()`, `lines()`, ...). Its users hold the object where they await those coroutines,
inside a running loop (an async application, Home Assistant, a notebook), and its sync
methods called there raise; one convenience wrapper (`run_sync()`), usually documented for
scripts, is not reported, nor a method whose docstring says it cannot run where an event loop
runs ("can't use this method inside async code"). Projects that apply `nest_asyncio` are
not reported, nor the
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
