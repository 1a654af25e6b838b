"""LD102: the ``_run_async`` bridge: a loop is running, so start another one in a thread."""

from __future__ import annotations

from collections.abc import Iterator

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.chain import loop_chain
from loopdoctor.scan.loops import LoopKind, api_label, exported_names, loop_sites
from loopdoctor.scan.model import Finding, LoopStart
from loopdoctor.scan.project import Project, Source
from loopdoctor.scan.rules.base import Rule


def check(project: Project) -> Iterator[Finding]:
    for site in loop_sites(project):
        if site.kind is LoopKind.BRIDGE and (traced := _not_refused(project, site.start)):
            source, tail = loop_chain(project, site, traced)
            yield RULE.finding(site.file, site.start.site, (
                f"sync-to-async bridge: while a loop is running, `{api_label(site.start)}` "
                f"starts a second loop in a thread over a coroutine that reaches "
                f"{source.describe()}{tail}"))


def _not_refused(project: Project, start: LoopStart) -> dict[Source, str]:
    """What the coroutine reaches, less a client the bridge refuses when it is given: ``if
    session is not None: raise`` before the thread, and the caller hands it that client."""
    return {source: via for source, via in project.trace(start.coro).items()
            if not project.refused_when_given(start.coro, start.site.line, source)}


RULE = Rule(
    code="LD102",
    name="thread-bridge-while-loop-runs",
    summary="A sync-to-async bridge that, finding a running loop, starts a new loop in a "
            "thread over a coroutine that reaches shared loop-bound state.",
    needs=(("asyncio", *kb.LOOP_BOUND_TOKENS),),
    check=check,
    exports=exported_names,
    doc="""\
## Why
The `_run_async` helper: `get_running_loop()` succeeds (we are inside a gateway, a notebook,
an async framework), so it runs `asyncio.run(coro)` in a worker thread and blocks on the
result. The outer loop is now blocked and a second loop drives the coroutine. When that
coroutine reaches a client cached for the outer loop, the two loops share its pool: errors
that retries mask, or a hang until the client timeout (600 s by default for OpenAI).

## Bad
```python
def _run_async(coro):
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()

def tool(q):
    return _run_async(get_client().responses.create(model="m", input=q))  # cached client
```

## Good
```python
def tool(q):  # a sync tool: use the sync client
    return get_sync_client().responses.create(model="m", input=q)

async def atool(q):  # or make the tool async and await it on the running loop
    return await get_client().responses.create(model="m", input=q)
```

## Fix
Do not bridge at all where an async variant exists; otherwise run the coroutine on one
long-lived loop that owns the client (a portal: `run_coroutine_threadsafe(coro,
portal_loop).result()`), or give the thread's loop its own client.
""",
)
