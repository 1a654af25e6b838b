"""LD302: a module-level asyncio Lock/Event/Semaphore/Queue used from coroutines."""

from __future__ import annotations

from collections.abc import Iterator

from loopdoctor.scan import loop_calls as lc
from loopdoctor.scan.chain import loops_reaching
from loopdoctor.scan.loops import loop_sites, second_loop
from loopdoctor.scan.model import Bind, Binding, Finding, Function, Op
from loopdoctor.scan.project import Project, short_name
from loopdoctor.scan.rules.base import Rule


def check(project: Project) -> Iterator[Finding]:
    for binding, file in project.primitives(instances=True):
        if project.is_script(file) or other_loops_miss_it(project, binding.target):
            continue
        kind = project.resolve(binding.values[0].name)
        users = coroutine_users(project, binding, kind)
        if users and not _only_on_a_private_loop(project, users):
            user = users[0].qualname.rsplit(".", 1)[-1]
            yield RULE.finding(file, binding.site, (
                f"{_where(project, binding, kind)} is used from coroutines (`{user}`): it "
                f"binds to the first event loop that uses it"))


def _where(project: Project, binding: Binding, kind: str) -> str:
    why = project.process_wide_instance(binding)
    if why is None:
        return f"module-level `{kind}` `{binding.target.rsplit('.', 1)[-1]}`"
    return (f"`{kind}` `{short_name(binding.target)}` lives on an object that outlives loops "
            f"({why.why}), one for the process like a module-level one, and")


def coroutine_users(project: Project, binding: Binding, kind: str) -> list[Function]:
    """The coroutines that wait on the primitive a binding makes, other than one that makes
    its own or holds a lock without waiting."""
    return [user for user in project.async_users(binding.target)
            if not _makes_its_own(project, binding.target, user)
            and not _held_briefly(project, binding.target, kind, user)]


def other_loops_miss_it(project: Project, target: str) -> bool:
    """The project starts second loops of its own (in worker threads, a new loop per call)
    and none of their coroutines reaches the primitive: its users run on the one loop that
    serves them. A project that starts none leaves its loops to its users, who may run
    several (a loop per test); the calling thread's own loop, a script's or the one its
    entry point runs (``asyncio.run(main())``) is no second."""
    return any(second_loop(project, site) for site in loop_sites(project)) \
        and not loops_reaching(project, target)


def _only_on_a_private_loop(project: Project, users: list[Function]) -> bool:
    """Is every coroutine that waits on it started only by sync code that hands it to one
    loop, ``run_coroutine_threadsafe(user(), X._loop)``, where ``X._loop`` is a loop a thread
    of the project runs forever and the slot is written once, only when missing (a loop made
    on every start is another loop each time; a write whose value the scan cannot tell, a
    policy's ``new_event_loop()``, is not seen)? Then that loop is the only one that ever
    waits on the primitive."""
    loops: set[tuple[Op, str]] = set()
    for user in users:
        callers = project.callers.get(user.qualname, ())
        if not callers:
            return False
        for call, _ in callers:
            maker = project.functions.get(call.site.scope) if call.site else None
            if maker is None or maker[0].is_async:
                return False
            hands = [c for c in maker[0].loop_calls if c.method == lc.HANDS_COROUTINE
                     and project.resolve(c.handed[0]) == user.qualname]
            if not hands:
                return False
            loops |= {(v.op, project.resolve(v.name)) for c in hands for v in c.receiver}
    if len(loops) != 1:
        return False
    (op, slot), = loops
    run = {(v.op, project.resolve(v.name)) for fn, _ in project.functions.values()
           for c in fn.loop_calls if c.method == lc.RUN_BY_THREAD for v in c.receiver}
    writes = [b for b, _ in project.bindings.get(slot, ())
              if b.values and b.kind is not Bind.ANNOTATION]
    return op is Op.NAME and (op, slot) in run and len(writes) <= 1 \
        and all(write.lazy is not None for write in writes)


def _makes_its_own(project: Project, target: str, user: Function) -> bool:
    """A coroutine that binds the name itself (``global done; done = asyncio.Event()``) waits
    on a primitive made in its own loop, each run."""
    return any(b.site.scope == user.qualname for b, _ in project.bindings.get(target, ()))


def _held_briefly(project: Project, target: str, kind: str, user: Function) -> bool:
    """``async with lock:`` around a body that never suspends: no task of the same loop can
    find the lock held, so it never waits on it and never binds to a loop."""
    return kind in _ACQUIRED_WITHOUT_LOOP and any(
        project.resolve(name) == target for name in user.brief_holds)


_ACQUIRED_WITHOUT_LOOP = frozenset(
    {"asyncio.Lock", "asyncio.Semaphore", "asyncio.BoundedSemaphore"})


RULE = Rule(
    code="LD302",
    name="module-level-asyncio-primitive",
    summary="A module-level asyncio Lock/Event/Condition/Semaphore/Queue used from "
            "coroutines.",
    needs=(("asyncio",),),
    check=check,
    exports=lambda project: (c.target for c, _ in project.primitives(instances=True)),
    doc="""\
## Why
Since Python 3.10 asyncio primitives bind to the loop that first waits on them. A
module-level `asyncio.Lock()` used by coroutines in two loops (sequential `asyncio.run`
calls, a worker thread with its own loop) raises "is bound to a different event loop";
a `Queue` or `Event` shared that way can lose wakeups and hang. A `Lock` or `Semaphore`
binds only when a task has to wait for it, so one whose every holder runs its `async with`
body without an await is not reported; one holder that awaits inside is enough. In a
project that starts second event loops of its own (in worker threads, a new loop per
call; not the one `asyncio.run(main())` of its own command), a primitive none of those
loops reaches is not reported either: its coroutines run on the one loop that serves them.
A function that makes an `argparse.ArgumentParser` and parses the command line is such a
command, whatever its name. A primitive made on an object the process keeps one of (a
singleton class, an instance kept in a module global) is one for the process as well. One
whose every waiting coroutine is started only by sync code that hands it with
`run_coroutine_threadsafe(waiter(), X._loop)` to one loop that a thread runs forever, made
once (only when missing), is waited on by that loop alone: not reported.

## Bad
```python
_lock = asyncio.Lock()

async def refresh_token():
    async with _lock:
        await fetch_token()
```

## Good
```python
class TokenCache:
    def __init__(self):
        self._lock = asyncio.Lock()  # one per loop-scoped owner

    async def refresh(self):
        async with self._lock:
            ...
```

## Fix
Create primitives inside the loop that uses them (in the object the loop owns), or use a
`threading.Lock` for state shared across loops and threads.
""",
)
