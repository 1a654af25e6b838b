"""LD503: ``asyncio.get_event_loop()`` in code run by a worker thread."""

from __future__ import annotations

from collections.abc import Iterator

from loopdoctor.scan.model import Finding
from loopdoctor.scan.project import Project
from loopdoctor.scan.rules.base import Rule

MESSAGE = ("`asyncio.get_event_loop()` in code run by a worker thread: that thread has no "
           "current loop (RuntimeError), and on a borrowed loop it is the wrong one")


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
    summary="asyncio.get_event_loop() called in a function executed by a worker thread.",
    needs=(("asyncio",), ("get_event_loop",)),
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

A test module's own threads are left out: a test that looks the loop up on a worker thread
does it to check what happens there.

## Fix
Create and own a loop in the thread (`asyncio.run`, or `new_event_loop()` +
`set_event_loop()`), or hand the coroutine to the loop that owns it with
`run_coroutine_threadsafe(coro, loop)`.
""",
)
