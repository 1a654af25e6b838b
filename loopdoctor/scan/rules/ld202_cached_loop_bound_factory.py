"""LD202: an lru_cache/cache factory that returns a loop-bound client."""

from __future__ import annotations

from collections.abc import Iterator

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.chain import chain
from loopdoctor.scan.model import Finding
from loopdoctor.scan.project import Project
from loopdoctor.scan.rules.base import Rule
from loopdoctor.scan.types import LOOP


def check(project: Project) -> Iterator[Finding]:
    for factory, file, bound in project.cached_factories():
        decorator = factory.decorator.rsplit(".", 1)[-1]
        name = factory.qualname.rsplit(".", 1)[-1]
        here = (file.path, factory.site.line)
        yield RULE.finding(file, factory.site, (
            f"`@{decorator}` factory `{name}` returns {_what(bound.type)}"
            f"{chain(project, project.holder(factory.qualname), here, bound)}"))


def _what(bound_type: str) -> str:
    if bound_type == LOOP:
        return ("the event loop it first sees: every later caller, in any thread, gets that "
                "loop, closed once its `asyncio.run` ends")
    if bound_type in kb.ASYNCIO_PRIMITIVES:
        return (f"one `{bound_type}` for the whole process: it binds to the first loop that "
                "waits on it, and fails in every other (\"bound to a different event loop\")")
    return f"a loop-bound `{bound_type}`: every event loop gets the same client"


RULE = Rule(
    code="LD202",
    name="cached-loop-bound-factory",
    summary="An lru_cache / cache decorated factory that returns a loop-bound client or primitive.",
    needs=((*kb.LOOP_BOUND_TOKENS, *kb.TAKE_LOOP_TOKENS),),
    check=check,
    exports=Project.loop_bound_classes,
    doc="""\
## Why
`functools.lru_cache` keys on the arguments, never on the running loop, so the first
call's client, bound to the first loop that uses it, is returned to every later loop. So do
`cachetools.func` caches and Streamlit's `st.cache_resource`, which outlives every rerun of
the script (and each rerun's `asyncio.run` is a new loop).
An asyncio primitive (`Lock`, `Event`, `Queue`) from a module-level cached function is one
object for the whole process: it binds to the first loop that waits on it. Sync clients
(`OpenAI`, `httpx.Client`) are fine in a cache and not reported; neither is a factory that
takes the loop as an argument.

## Bad
```python
@lru_cache
def get_http() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=30)
```

## Good
```python
@lru_cache
def get_http() -> httpx.Client:
    return httpx.Client(timeout=30)
```

## Fix
Cache per loop (a `WeakKeyDictionary` keyed by `asyncio.get_running_loop()`, with the
clients closed before their loop closes), or create the async client where it is used.
""",
)
