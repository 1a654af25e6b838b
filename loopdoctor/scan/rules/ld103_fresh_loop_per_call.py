"""LD103: a sync wrapper that makes a new loop per call over a long-lived client."""

from __future__ import annotations

from collections.abc import Iterator

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.chain import loop_chain
from loopdoctor.scan.loops import LoopKind, LoopSite, api_label, exported_names, loop_sites
from loopdoctor.scan.model import Finding
from loopdoctor.scan.project import Project
from loopdoctor.scan.rules.base import Rule


def check(project: Project) -> Iterator[Finding]:
    for site in loop_sites(project):
        if site.kind is not LoopKind.FRESH or site.function is None \
                or (site.function.entry_point and not site.start.repeated):
            continue
        if traced := project.trace(site.start.coro):
            source, tail = loop_chain(project, site, traced)
            yield RULE.finding(site.file, site.start.site, (
                f"`{api_label(site.start)}` makes a new event loop on every "
                f"{_called(project, site, traced[source])}, "
                f"but the coroutine reaches long-lived {source.describe()}{tail}"))


def _called(project: Project, site: LoopSite, via: str) -> str:
    """What makes each new loop: a call of the wrapper or of a function its decorator wraps,
    or a pass of the for/while loop the start sits in."""
    if site.start.repeated:
        return f"pass of the for/while loop in `{site.wrapper}`"
    decorated = project.decoration(via)
    if decorated is None:
        return f"call of `{site.wrapper}`"
    path, _, line = via.rpartition(":")
    where = f"line {line}" if path == site.file.path else via
    fn = project.functions[decorated.function][0]
    name = ".".join(fn.qualname.split(".")[-2 if fn.cls else -1:])
    return f"call of a function decorated with `@{decorated.decorator}` (`{name}`, {where})"


RULE = Rule(
    code="LD103",
    name="fresh-loop-per-call",
    summary="A sync wrapper (or a decorator's wrapper, for every coroutine function it "
            "decorates) that starts a new event loop on every call over a coroutine that "
            "reaches a long-lived client.",
    needs=(("asyncio", *kb.LOOP_BOUND_TOKENS),),
    check=check,
    exports=exported_names,
    doc="""\
## Why
`asyncio.run(...)` (or `new_event_loop()` + `run_until_complete`) in a sync method makes a
new loop per call and closes it afterwards. The client the coroutine uses, stored on
`self` in `__init__` or cached at module level, keeps its keep-alive connections from the
first loop. The next call picks one up and fails with "Event loop is closed" (on openai
2.x the SDK retries, so it looks like slowness: several server requests per call).
The same holds when the loop is made in a helper or a decorator: `def sync(fn)` whose
wrapper runs `asyncio.run(fn(*args))` makes every `@sync` coroutine function a new loop per
call (a class decorator that hands every method to such a wrapper, each coroutine method of
the class), and `run_sync(coro)` that wraps its argument in a nested `async def` runs it on
a new loop too. `main()`, CLI commands, a command that ends the process (`sys.exit(0)` after
its loop, or a module-level function given no object that swallows Ctrl-C around it:
`except KeyboardInterrupt: pass`), tests and fixtures (decorated or not) are exempt: they
run once per process, unless they start the loop in a `for`/`while` body (`for item in
items: asyncio.run(fetch(item))`): each pass is another loop of the same process. So is an
object whose client every run makes anew: a wrapper made in `__init__` whose session a
coroutine opens each run (`await self.http.login()`) keeps none across loops; one whose
session `__init__` opens is reported. An object its caller makes once and hands to several
calls of the wrapper (or to one call in a `for`/`while` body, or to two `asyncio.run` in a
row) carries what its constructor made into each loop: an `asyncio.Semaphore` made in
`__init__` binds to the first loop that waits on it, and the next raises "bound to a
different event loop".

## Bad
```python
class Assistant:
    def __init__(self):
        self.client = AsyncOpenAI()

    def ask(self, q):
        return asyncio.run(self._ask(q))

    async def _ask(self, q):
        return await self.client.responses.create(model="m", input=q)
```

```python
def sync(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))
    return wrapper

class Weather:
    def __init__(self):
        self.http = httpx.AsyncClient()

    @sync
    async def forecast(self, city):
        return await self.http.get(f"/forecast/{city}")
```

```python
class Limited:
    def __init__(self):
        self._semaphore = asyncio.Semaphore(10)

    async def run_all(self, urls):
        async with self._semaphore:
            ...

def run_group(runner, urls):
    return asyncio.run(runner.run_all(urls))

def run_groups(groups):
    runner = Limited()
    for group in groups:
        run_group(runner, group)  # one semaphore, a new loop per group
```

## Good
```python
class Assistant:
    def __init__(self):
        self.client = OpenAI()  # a sync client for a sync API

    def ask(self, q):
        return self.client.responses.create(model="m", input=q)
```

## Fix
Use the sync client in sync code; or create the async client inside the coroutine
(`async with AsyncOpenAI() as client:`); or keep one long-lived loop in a background
thread and submit to it instead of making a loop per call.
""",
)
