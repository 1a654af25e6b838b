"""LD503: ``asyncio.get_event_loop()`` in code run by a worker thread."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.context import FileContext, Scope
from loopdoctor.scan.model import Candidate, Finding
from loopdoctor.scan.project import Project, is_test_module
from loopdoctor.scan.rules.base import Rule
from loopdoctor.scan.values import statements_here

MESSAGE = ("`asyncio.get_event_loop()` in code run by a worker thread: that thread has no "
           "current loop (RuntimeError), and on a borrowed loop it is the wrong one")

UNUSED_MESSAGE = ("`{name} = asyncio.get_event_loop()` in the sync function `{function}`, and "
                  "`{name}` is never used: called from a worker thread (a caller's executor, "
                  "`sync_to_async`) it raises \"There is no current event loop\", and on the "
                  "main thread it makes a loop nothing runs; drop the call")


def collect(ctx: FileContext) -> Iterator[Candidate]:
    """A sync function of library code keeps ``asyncio.get_event_loop()`` in a name it never
    reads: the call's only effects are the error in a thread without a loop and a loop made
    for nothing, whichever thread its callers use."""
    if is_test_module(ctx.module, ctx.path):
        return
    calling = _calling_get_event_loop(ctx)
    for fn in ctx.functions():
        if id(fn) not in calling or fn.kind != "function" or fn.is_async \
                or _is_property(fn.node):
            continue  # (a property's readers are expressions, in the coroutines that use it)
        read = {n.id for n in ast.walk(fn.node) if isinstance(n, ast.Name)
                and isinstance(n.ctx, ast.Load)}
        for name, node in _loop_assignments(ctx, fn):
            if name not in read:
                yield RULE.candidate(ctx.site(node, fn), UNUSED_MESSAGE.format(
                    name=name, function=fn.qualname.rpartition(".")[2]))


def _calling_get_event_loop(ctx: FileContext) -> set[int]:
    """The scopes (by id) whose own code calls ``asyncio.get_event_loop()``: the only ones
    worth walking (a statement of a function is indexed with that function's scope)."""
    return {id(call.scope) for call in ctx.calls
            if ctx.callee(call.node, call.scope) in kb.GET_EVENT_LOOP}


def _loop_assignments(ctx: FileContext, fn: Scope) -> Iterator[tuple[str, ast.Assign]]:
    for node in statements_here(fn.node):  # (not those of functions defined in it)
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Call) \
                and ctx.callee(node.value, fn) in kb.GET_EVENT_LOOP:
            yield node.targets[0].id, node


def _is_property(node: ast.AST) -> bool:
    return any(isinstance(d, (ast.Name, ast.Attribute)) and (
        d.id if isinstance(d, ast.Name) else d.attr) in ("property", "cached_property")
        for d in getattr(node, "decorator_list", ()))


def exports(project: Project) -> Iterator[str]:
    """Functions a thread started in another file may run."""
    for name, (fn, _) in project.functions.items():
        if fn.get_event_loop_sites and not fn.sets_event_loop:
            yield name


def check(project: Project) -> Iterator[Finding]:
    for name in sorted(project.thread_run):
        fn, file = project.functions[name]
        if fn.is_async or fn.sets_event_loop or project.in_tests(file):
            continue
        for site in fn.get_event_loop_sites:
            yield RULE.finding(file, site, MESSAGE)


RULE = Rule(
    code="LD503",
    name="get-event-loop-in-worker-thread",
    summary="asyncio.get_event_loop() called in a function executed by a worker thread, or "
            "kept unused in a sync function.",
    needs=(("asyncio",), ("get_event_loop",)),
    collect=collect,
    check=check,
    exports=exports,
    doc="""\
## Why
Only the main thread gets a default event loop. In a worker thread
`asyncio.get_event_loop()` raises "There is no current event loop in thread ..." unless
something called `set_event_loop` there first, and code that "fixes" this by reaching for
the main thread's loop then drives it from the wrong thread.

## Bad
```python
def work(q):
    loop = asyncio.get_event_loop()
    return loop.run_until_complete(ask(q))

pool.submit(work, "hi")
```

## Good
```python
def work(q):
    return asyncio.run(ask(q))  # a self-contained coroutine, its own loop

pool.submit(work, "hi")
```

The same call kept in a name nothing reads, in any sync function of library code
(`loop = asyncio.get_event_loop()` left over in a sync `publish()`), is reported too: whichever
thread its callers use (an executor, asgiref's `sync_to_async`), the call can only raise there,
or make a loop nothing runs on the main thread. Drop it.

A test module's own threads are left out: a test that looks the loop up on a worker thread
does it to check what happens there.

## Fix
Create and own a loop in the thread (`asyncio.run`, or `new_event_loop()` +
`set_event_loop()`), or hand the coroutine to the loop that owns it with
`run_coroutine_threadsafe(coro, loop)`.
""",
)
