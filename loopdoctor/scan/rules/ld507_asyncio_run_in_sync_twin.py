"""LD507 (preview): a library's public sync method runs its async twin with ``asyncio.run``."""

from __future__ import annotations

from collections.abc import Iterator

from loopdoctor.scan.model import Finding, Function
from loopdoctor.scan.project import Project, private
from loopdoctor.scan.rules.base import Rule

MESSAGE = ("`{name}` runs `{twin}` with `asyncio.run`: the library offers both, and a caller "
           "whose thread already runs a loop (Jupyter, Home Assistant, an async framework's "
           "sync hook) gets \"asyncio.run() cannot be called from a running event loop\"")


def check(project: Project) -> Iterator[Finding]:
    for _, (fn, file) in sorted(project.functions.items()):
        if fn.is_async or fn.checks_running_loop or fn.fresh_loop_preferred \
                or private(fn) or project.program_code(fn, file):
            continue
        name = fn.qualname.rsplit(".", 1)[-1]
        for start in fn.loop_starts:
            if start.api != "asyncio.run" or start.in_thread or start.repeated:
                continue
            twin = _twin_run(project, fn, name, start.coro.runs)
            if twin:
                yield RULE.finding(file, start.site, MESSAGE.format(name=name, twin=twin))


def _twin_run(project: Project, fn: Function, name: str, runs: frozenset[str]) -> str:
    """The coroutine function of the same name, async (``stations_async``, ``_async_get``,
    ``aget``), that the coroutine runs: itself, or awaited by a closure of ``fn``."""
    for run in sorted(runs):
        if _twin(name, run.rsplit(".", 1)[-1]):
            return run.rsplit(".", 1)[-1]
        found = project.functions.get(run)
        if found is not None and run.startswith(f"{fn.qualname}.") and found[0].is_async:
            for call in found[0].calls:
                callee = call.callee.rsplit(".", 1)[-1]
                target = project.functions.get(call.callee)
                if _twin(name, callee) and (target is None or target[0].is_async):
                    return callee
    return ""


def _twin(name: str, coroutine: str) -> bool:
    return coroutine != name and coroutine in {
        f"{name}_async", f"async_{name}", f"_async_{name}", f"_{name}_async", f"a{name}",
        f"_a{name}", f"_{name}"}


RULE = Rule(
    code="LD507",
    name="asyncio-run-in-sync-twin",
    summary="(preview) A library's public sync method runs its async twin (`get` runs "
            "`get_async`) with asyncio.run, which fails wherever the caller's thread already "
            "runs a loop.",
    needs=(("asyncio",), ("run(",)),
    check=check,
    preview=True,
    doc="""\
## Why
`asyncio.run()` refuses to start when the calling thread already runs a loop: "asyncio.run()
cannot be called from a running event loop". A library that offers a blocking method beside
its coroutine (`stations()` and `stations_async()`, `get_facilities()` over
`_async_get_facilities()`) and builds the first with `asyncio.run(self.x_async())` works in a
script and fails in a notebook, in Home Assistant, in an async framework's sync hook: wherever
its users already run a loop, which is where a library that also speaks async is used. Two
libraries fixed it after their users reported it (mvg, openelectricity). This rule is a
preview: a sync facade documented for scripts only is fine, and the scan cannot read the
documentation.

## Bad
```python
class Api:
    async def stations_async(self) -> list[str]:
        ...

    def stations(self) -> list[str]:
        return asyncio.run(self.stations_async())
```

## Good
```python
def _run(coro):
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)  # no loop here: run one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # a loop runs: not on it
        return pool.submit(asyncio.run, coro).result()


class Api:
    def stations(self) -> list[str]:
        return _run(self.stations_async())
```

## Fix
Ask whether a loop runs first: with none, `asyncio.run`; with one, run the coroutine on a
loop in another thread (or refuse with a message that names the async method to await).
""",
)
