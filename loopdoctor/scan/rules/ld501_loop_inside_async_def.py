"""LD501: asyncio.run / run_until_complete inside ``async def``."""

from __future__ import annotations

from collections.abc import Iterator

from loopdoctor.scan.loops import LoopKind, api_label, loop_sites
from loopdoctor.scan.model import Finding
from loopdoctor.scan.project import Project
from loopdoctor.scan.rules.base import Rule


def check(project: Project) -> Iterator[Finding]:
    if any(file.nest_asyncio for file in project.files):
        return  # nest_asyncio.apply() makes nested loops legal for the whole process
    for site in loop_sites(project):
        if site.kind is LoopKind.NESTED and site.function is not None:
            name = site.function.qualname.rsplit(".", 1)[-1]
            where = (f"in `{name}` of `{site.function.cls.rsplit('.', 1)[-1]}`, which "
                     f"{site.maker} makes" if site.maker else f"inside `async def {name}`")
            yield RULE.finding(site.file, site.start.site, (
                f"`{api_label(site.start)}` {where}: a loop is already running in this "
                f"thread; await the coroutine instead"))


RULE = Rule(
    code="LD501",
    name="loop-inside-async-def",
    summary="asyncio.run / run_until_complete called inside async def, or in __init__ of a "
            "class that async def makes.",
    needs=(("asyncio", "run_until_complete"),),
    check=check,
    doc="""\
## Why
Inside `async def` a loop is already running in this thread. `asyncio.run` raises
"cannot be called from a running event loop"; `run_until_complete` raises "This event loop
is already running" (or, on another loop, "Cannot run the event loop while another loop is
running"). Projects that apply `nest_asyncio` are not reported.

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
