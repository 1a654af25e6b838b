"""LD301: a loop-bound client created at import time."""

from __future__ import annotations

from collections.abc import Iterator

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.chain import chain, loops_reaching
from loopdoctor.scan.model import Bind, Binding, FileFacts, Finding
from loopdoctor.scan.project import Project, Source
from loopdoctor.scan.rules.base import Rule
from loopdoctor.scan.types import LOOP, Bound


def check(project: Project) -> Iterator[Finding]:
    for binding, file, bound in project.constructs():
        if binding.provider or project.is_script(file) or not bound.direct \
                or _loop_used_only_at_import(project, binding, bound):
            continue
        holder = project.holder(binding.target, bound)
        if _served_by_its_host(project, file, holder):
            continue
        name = binding.target.rsplit(".", 1)[-1]
        here = (file.path, binding.site.line)
        what = (f"event loop captured at import time as `{name}`: every thread and every later "
                f"`asyncio.run` gets this one, closed or another thread's" if bound.type == LOOP
                else f"loop-bound {bound.describe()} created at import time as `{name}`: every "
                     f"event loop in the process shares it")
        yield RULE.finding(file, binding.site, (
            f"{what}"
            f"{chain(project, holder, here, bound)}"))


def _served_by_its_host(project: Project, file: FileFacts, holder: Source | None) -> bool:
    """A client of a program a server loads (``Project.runs_as_program``: an app template)
    that no loop start of the project reaches (other apps' ``app.py`` are modules of their
    own: ``naming.apart``): the app's coroutines run on the one loop of the server that
    loads it."""
    if not project.runs_as_program(file):
        return False
    return holder is None or not loops_reaching(project, holder.name)


def _loop_used_only_at_import(project: Project, binding: Binding, bound: Bound) -> bool:
    """A module-level loop global that no function or thread reads after import (``loop =
    get_running_loop()`` used by the next statement, to set that loop's task factory):
    nothing later gets it."""
    return bound.type == LOOP and binding.kind is Bind.MODULE \
        and not project.used_after_import(binding.target)


RULE = Rule(
    code="LD301",
    name="module-level-client",
    summary="A loop-bound client created at module or class level (at import time).",
    needs=(kb.LOOP_BOUND_TOKENS,),
    check=check,
    exports=Project.loop_bound_classes,
    doc="""\
## Why
A client created at import time is shared by every event loop the process ever runs:
each `asyncio.run` in a CLI, every worker thread, a test suite whose tests get their own
loops. Its connection pool binds to the first loop that uses it. Code under
`if __name__ == "__main__":` is not reported, nor is a script's module level (a module
with a `__main__` block that no scanned module imports and that starts one loop), nor a
loop captured at module level that no function or thread reads (used at import only).

## Bad
```python
client = AsyncOpenAI()

async def ask(q):
    return await client.responses.create(model="m", input=q)
```

## Good
```python
async def ask(client: AsyncOpenAI, q):
    return await client.responses.create(model="m", input=q)

async def main():
    async with AsyncOpenAI() as client:
        print(await ask(client, "hi"))
```

## Fix
Create the client inside the loop that uses it and pass it down, or cache it per loop.
""",
)
