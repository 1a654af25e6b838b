"""LD201: a long-lived cache of loop-bound clients whose key ignores the loop."""

from __future__ import annotations

from collections.abc import Iterator

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.chain import chain, loops_reaching
from loopdoctor.scan.loops import second_loop
from loopdoctor.scan.model import FileFacts, Finding, KeyKind, Site
from loopdoctor.scan.project import LongLived, Project, Store, short_name
from loopdoctor.scan.rules.base import Rule
from loopdoctor.scan.types import LOOP, Bound


def check(project: Project) -> Iterator[Finding]:
    for store in [*project.cache_writes(), *project.stores_through_methods()]:
        if store.key is KeyKind.OTHER and store.bound.direct and store.bound.type != LOOP \
                and (not store.bound.holds or _reached(project, store.holder)) \
                and not _filled_in_programs_one_loop(project, store) \
                and not _used_only_by_request_handlers(project, store.holder):
            slot = "slot" if store.slot else "cache"
            yield RULE.finding(store.file, store.site, (
                f"{slot} `{short_name(store.holder)}` keeps one loop-bound "
                f"{store.bound.describe()} for every event loop: its key does not "
                f"involve the running loop{_KEEPS_LOOP if store.keeps_loop else ''}"
                f"{_chain(project, store.holder, store.bound, store.file, store.site)}"))
    for store, why in project.lazy_instance_stores():
        if store.bound.direct and _evident(project, store, why):
            yield RULE.finding(store.file, store.site, (
                f"`{short_name(store.holder)}` is made {store.lazy.value} and kept on an object "
                f"that outlives loops ({why.why}): one loop-bound {store.bound.describe()} for "
                f"every event loop"
                f"{_chain(project, store.holder, store.bound, store.file, store.site)}"))
    for store, why in project.constructor_stores():
        if store.bound.direct and not store.bound.via and _evident(project, store, why):
            setup = store.site.scope.rsplit(".", 1)[-1]
            yield RULE.finding(store.file, store.site, (
                f"`{short_name(store.holder)}` is made in `{setup}` of an object that outlives "
                f"loops ({why.why}): one loop-bound {store.bound.describe()} for every event "
                f"loop"
                f"{_chain(project, store.holder, store.bound, store.file, store.site)}"))
    for store, why in project.long_lived_caches():
        if store.key is KeyKind.OTHER and store.bound.direct and store.bound.type != LOOP \
                and _evident(project, store, why):
            yield RULE.finding(store.file, store.site, (
                f"cache `{short_name(store.holder)}` lives on an object that outlives loops "
                f"({why.why}) and keeps one loop-bound {store.bound.describe()} for every "
                f"event loop: its key does not involve the running loop"
                f"{_KEEPS_LOOP if store.keeps_loop else ''}"
                f"{_chain(project, store.holder, store.bound, store.file, store.site)}"))
    for binding, file, bound in project.constructs():
        if binding.provider:
            yield RULE.finding(file, binding.site, (
                f"singleton provider `{short_name(binding.target)}` hands one loop-bound "
                f"{bound.describe()} to every event loop"
                f"{_chain(project, binding.target, bound, file, binding.site)}"))


_KEEPS_LOOP = (" (it stores the loop beside the client but never compares it with the running "
               "loop: `is_closed()` does not tell two open loops apart)")


def _evident(project: Project, store: Store, why: LongLived) -> bool:
    """A loop of this project reaches the object, or it is a singleton by construction
    that not only a web app's request handlers use."""
    if _reached(project, store.holder):
        return True
    if why.holder:
        return _reached(project, why.holder)
    return not why.closed and not _used_only_by_request_handlers(project, store.holder)


def _reached(project: Project, holder: str) -> bool:
    """An object that only holds a client, or an ordinary object kept at module level, is
    reported once a loop of this project that can be another than the first reaches it:
    a server running one loop may keep its service objects in globals."""
    return any(second_loop(project, site) for site in loops_reaching(project, holder))


def _filled_in_programs_one_loop(project: Project, store: Store) -> bool:
    """The slot is filled only inside the coroutines of a program's one loop (a CLI
    command's ``asyncio.run``), and no second loop reaches it: that process has one loop."""
    loops = loops_reaching(project, store.holder)
    if not loops or any(second_loop(project, site) for site in loops):
        return False
    coroutines = {name for site in loops for name in site.start.coro.runs}
    return _called_only_from(project, store.site.scope, coroutines)


def _called_only_from(project: Project, name: str, roots: set[str]) -> bool:
    """Is ``name`` one of ``roots``, or called (two levels up, at most) only by them?"""
    return project.every_caller(name, lambda f: True if f in roots else None,
                                project.calling_scopes, _MAX_CALLER_DEPTH, recursion=False)


_MAX_CALLER_DEPTH = 2


def _used_only_by_request_handlers(project: Project, holder: str) -> bool:
    """Every function that names the cache runs only inside a server's request handlers
    (``Project.request_handlers``), through its callers, or in what a signal handler calls or
    schedules (the shutdown: on the main thread's running loop, the server's), and no loop
    this project starts reaches it: the server that runs the handlers runs one loop per
    process. At least one of them must be a request handler's."""
    if any(second_loop(project, site) for site in loops_reaching(project, holder)):
        return False
    users = project.functions_naming(holder)
    served = [name for name in users
              if _runs_under(project, name, project.request_handlers)]
    return bool(served) and all(
        name in served or _runs_under(project, name, project.signal_handlers)
        for name in users)


def _runs_under(project: Project, name: str, roots: frozenset[str]) -> bool:
    """Is ``name`` one of ``roots``, or called (a few levels up) only by them? A nested
    function nothing is seen to call runs where the function it is written in runs."""
    return project.every_caller(name, lambda f: _is_root(project, f, roots),
                                lambda f: _callers_or_enclosing(project, f), _MAX_HANDLER_DEPTH)


def _is_root(project: Project, name: str, roots: frozenset[str]) -> bool | None:
    if name not in project.functions:
        return False
    return True if name in roots else None


def _callers_or_enclosing(project: Project, name: str) -> list[str]:
    callers = project.calling_scopes(name)
    if not callers and ".<locals>." in name:
        return [name.rsplit(".<locals>.", 1)[0]]
    return callers


_MAX_HANDLER_DEPTH = 6


def _chain(project: Project, holder: str, bound: Bound, file: FileFacts, site: Site) -> str:
    return chain(project, project.holder(holder, bound), (file.path, site.line), bound)


RULE = Rule(
    code="LD201",
    name="loop-unaware-client-cache",
    summary="A module- or class-level cache, a cache on a long-lived object, a singleton "
            "slot or DI singleton of loop-bound clients whose key does not involve the "
            "current loop.",
    needs=(kb.LOOP_BOUND_TOKENS,),
    check=check,
    exports=Project.loop_bound_classes,
    doc="""\
## Why
A dict keyed by config, a `global _client` slot, a `cls._instance` attribute or a
`providers.Singleton(AsyncOpenAI, ...)` hands the same loop-bound client to every event
loop in the process: CLI runs with sequential `asyncio.run`, worker threads, a gateway
and its thread bridges. The first loop binds the connection pool; the others get
"Event loop is closed", "bound to a different event loop", or a hang.
The same holds for a dict on an object that outlives loops (a module-level registry, a
singleton, an object a framework keeps for the process: a channels layer, an fsspec
filesystem), for a client the constructor of a singleton or of such a framework object
makes (once, with the object: `self.pools = [ConnectionPool(...) ...]` in `__init__`), for
keys such as a thread id (one thread runs many loops, one after another), and for a cache
that stores the loop beside the client and only asks `loop.is_closed()`: two loops that
are both open still share one client.
Caches keyed by the loop object itself (a `WeakKeyDictionary[loop]`, or a stored loop
compared with `is`) are not reported; `id(loop)` keys are LD401's. Nor are objects whose
owner manages their lifetime with the loop's: a slot closed and reset at shutdown (or
emptied first, `del` or `= None`, and closed through a local name), or an
engine a coroutine disposes (`await engine.dispose()`: SQLAlchemy opens a new pool on the next
loop), and what is made over it (`async_sessionmaker(bind=engine)`), and a pool keyed by the
running task (`id(asyncio.current_task())`) whose entry that task deletes in its `finally` (or
its class's `__aexit__`): a task runs on one loop (an entry the task leaves behind is reported).
Nor is a slot filled only inside the coroutines of a program's one loop (a CLI command's
`asyncio.run`) when no second loop of the project reaches it: that process has one loop; nor
an object that holds a client, kept at module level, when the only loops that reach it are a
program's entries (`main()`'s branches, each the one loop of its process); nor a cache, a
singleton's slot or a client a long-lived object keeps that only a server's request handlers
use (coroutines decorated `@app.get(...)`, `@routes.post(...)`; registered by call:
`app.add_api_route(path, f)`, `Route(path, f)`, `app.router.add_get(path, f)`,
`web.get(path, f)`, `app.add_url_rule(path, view_func=f)`; the coroutine methods of a gRPC
servicer, a subclass of a `*_pb2_grpc` module's `*Servicer` or an object handed to its
`add_*Servicer_to_server`; and the helpers only they call, an object they call of a declared
type included: `model = cast(Model, model)`, then `await model(x)` runs `Model.__call__` or an
override), when no loop of the project reaches it: their server runs one loop per process.
What a signal handler (`signal.signal`, `add_signal_handler`) calls or schedules, such as a
shutdown that closes the clients, runs on the main thread's running loop and does not count
against that, as long as request handlers use it too. (A project's own `add_route` method is
not a server's: what it is given is reported as before.)
(Not seen: a process that serves the app twice, on two loops, such as two servers started
in threads; there the cache meets both.)

## Bad
```python
_clients: dict[str, AsyncOpenAI] = {}

def get_client(base_url: str) -> AsyncOpenAI:
    if base_url not in _clients:
        _clients[base_url] = AsyncOpenAI(base_url=base_url)
    return _clients[base_url]
```

## Good
```python
_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

def get_client(base_url: str) -> AsyncOpenAI:
    per_loop = _clients.setdefault(asyncio.get_running_loop(), {})
    if base_url not in per_loop:
        per_loop[base_url] = AsyncOpenAI(base_url=base_url)
    return per_loop[base_url]
```

## Fix
Key the cache by the running loop (and close a loop's clients before that loop closes),
or create the client where the loop's lifetime is owned (`async with AsyncOpenAI()`).
""",
)
