"""LD304 (preview): LD303's shape, where nothing here shows the object made outside a loop."""

from __future__ import annotations

from collections.abc import Iterator

from loopdoctor.scan.model import Finding
from loopdoctor.scan.project import Project
from loopdoctor.scan.rules.base import Rule
from loopdoctor.scan.rules.ld303_loop_taken_in_constructor import RULE as LD303
from loopdoctor.scan.rules.ld303_loop_taken_in_constructor import message, taken_in_constructors


def check(project: Project) -> Iterator[Finding]:
    for binding, file, bound, evidence in taken_in_constructors(project):
        if not evidence:
            yield RULE.finding(file, binding.site, message(project, binding, file, bound, ""))


RULE = Rule(
    code="LD304",
    name="loop-taken-in-constructor-unverified",
    summary="(preview) LD303's shape in a class this project never visibly makes outside a "
            "running loop: a bug only where its users make it in sync code.",
    needs=LD303.needs,
    check=check,
    exports=Project.loop_bound_classes,
    preview=True,
    doc="""## Why
The same hazard as LD303: `__init__` (or a validator) keeps `asyncio.get_event_loop()`, or
makes an object that binds to the current loop when made (a grpc.aio channel, a Google
`*AsyncClient`, an `aiohttp.ClientSession`). Here nothing in the scanned code makes such
an object outside a running loop or drives the kept loop: a library whose users make it
at import or in sync setup code has the bug, one whose users make it inside `async def`
does not. A preview rule: select `LD304` to see these.

## Bad
```python
class ChatModel(BaseModel):
    @root_validator()
    def validate_environment(cls, values):
        values["async_client"] = build_generative_async_service(...)  # grpc.aio, now
        return values

model = ChatModel()  # in the user's code, at import
```

## Good
```python
class ChatModel(BaseModel):
    @root_validator()
    def validate_environment(cls, values):
        if _is_event_loop_running():  # made inside the loop that uses it
            values["async_client"] = build_generative_async_service(...)
        return values
```

## Fix
Make such objects lazily, inside the loop that uses them, or only when a loop is running.
""",
)
