"""LD101: a new event loop started in a worker thread over shared loop-bound state."""

from __future__ import annotations

from collections.abc import Iterator

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.chain import loop_chain
from loopdoctor.scan.loops import LoopKind, api_label, exported_names, loop_sites
from loopdoctor.scan.model import Finding
from loopdoctor.scan.project import Project
from loopdoctor.scan.rules.base import Rule


def check(project: Project) -> Iterator[Finding]:
    for site in loop_sites(project):
        if site.kind is LoopKind.THREAD and (traced := project.trace(site.start.coro)):
            source, tail = loop_chain(project, site, traced)
            yield RULE.finding(site.file, site.start.site, (
                f"`{api_label(site.start)}` in a worker thread runs a coroutine that reaches "
                f"{source.describe()}, which another event loop also uses{tail}"))


RULE = Rule(
    code="LD101",
    name="asyncio-run-in-worker-thread",
    summary="asyncio.run / run_until_complete in a worker thread over a coroutine that "
            "reaches a shared loop-bound client, cache or primitive.",
    needs=(("asyncio", *kb.LOOP_BOUND_TOKENS),),
    check=check,
    exports=exported_names,
    doc="""\
## Why
`asyncio.run` in a thread (`executor.submit`, `loop.run_in_executor`, `asyncio.to_thread`,
`threading.Thread(target=...)`) starts a second event loop. If the coroutine reaches a
client that another loop also uses (a cached `AsyncOpenAI`, a module-level
`httpx.AsyncClient`, a client passed in), both loops share one connection pool. httpx's
pool is not safe across loops: requests fail with "bound to a different event loop" /
"Event loop is closed", get retried (and hidden) by the SDK, or hang for good when a
wakeup is delivered to the wrong loop's thread.

A thread that runs a self-contained coroutine (it creates and closes its own clients) is
fine and not reported; nor is a coroutine that only registers a coroutine function as a
callback through sync code (which cannot await it): that function runs on the loop that
calls the callback.

## Bad
```python
client = AsyncOpenAI()

async def ask(q):
    return await client.responses.create(model="m", input=q)

with ThreadPoolExecutor() as pool:
    answers = [pool.submit(asyncio.run, ask(q)) for q in questions]
```

## Good
```python
async def ask(q):
    async with AsyncOpenAI() as client:  # owned by this loop, closed with it
        return await client.responses.create(model="m", input=q)

with ThreadPoolExecutor() as pool:
    answers = [pool.submit(asyncio.run, ask(q)) for q in questions]
```

## Fix
Give each loop its own client (create it inside the coroutine, or cache it per loop and
close it before the loop closes), use a sync client in the thread, or submit the coroutine
to the one loop that owns the client (`asyncio.run_coroutine_threadsafe(coro, owner_loop)`).
""",
)
