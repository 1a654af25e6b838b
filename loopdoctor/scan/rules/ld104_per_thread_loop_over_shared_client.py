"""LD104 (preview): a sync wrapper that runs on the calling thread's own loop over a
long-lived client."""

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
        if site.kind is not LoopKind.PER_THREAD or site.function is None \
                or site.function.entry_point:
            continue
        if traced := project.trace(site.start.coro):
            source, tail = loop_chain(project, site, traced)
            name = site.wrapper
            yield RULE.finding(site.file, site.start.site, (
                f"`{api_label(site.start)}` in `{name}` runs on the calling thread's own loop, "
                f"made for each thread that has none, but the coroutine reaches long-lived "
                f"{source.describe()}: every thread that calls `{name}` drives it from "
                f"another loop{tail}"))


RULE = Rule(
    code="LD104",
    name="per-thread-loop-over-shared-client",
    summary="(preview) A sync wrapper that runs coroutines on the calling thread's loop (made "
            "and set when the thread has none) over a coroutine that reaches a long-lived "
            "client.",
    needs=(("asyncio", *kb.LOOP_BOUND_TOKENS), ("new_event_loop",)),
    check=check,
    exports=exported_names,
    preview=True,
    doc="""\
## Why
`loop = get_event_loop()`, or on RuntimeError `new_event_loop()` + `set_event_loop(loop)`,
then `loop.run_until_complete(coro)`: the wrapper runs on the loop of whichever thread calls
it and makes one for a thread that has none. In one thread that is one loop for good; but a
web server's request threads, an executor's workers or a task runner's threads each get a
loop of their own, and the client the coroutine reaches (kept on `self`, in a cache, at
module level) is driven from all of them: "attached to a different loop", "bound to a
different event loop", "Event loop is closed". Inside a running loop (a notebook) the same
wrapper raises "This event loop is already running". Nothing in the wrapper says whether it
is called from more than one thread, so this rule is a preview (select `LD104` to use it).

## Bad
```python
def run_sync(coro):
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
    return loop.run_until_complete(coro)

class Connection:
    def __init__(self):
        self._client = httpx.AsyncClient()

    def execute(self, query):
        return run_sync(self._client.post("/query", content=query))
```

## Good
```python
class Connection:
    def __init__(self):
        self._portal = LoopThread()  # one loop in a thread of its own, for this connection
        self._client = self._portal.call(make_client)

    def execute(self, query):
        return self._portal.call(self._client.post("/query", content=query))
```

## Fix
Run every call of an object on one loop owned by a thread of its own
(`run_coroutine_threadsafe(coro, loop).result()`), or make the client inside the coroutine
(`async with httpx.AsyncClient() as client:`), or key the client by the running loop.
""",
)
