"""LD506: a loop, or an object bound to one, touched from a thread that does not run it."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan import loop_calls as lc
from loopdoctor.scan.model import Finding, Function, LoopCall, Op, Value, Values
from loopdoctor.scan.project import Project
from loopdoctor.scan.rules.base import Rule
from loopdoctor.scan.types import LOOP

_MAX_CLOSURE = 200  # functions followed from one thread's target
_MAX_DEPTH = 4  # returns and bindings followed to a loop a thread runs
_MAX_BINDINGS = 8


def check(project: Project) -> Iterator[Finding]:
    handed = {project.resolve(name) for fn, _ in project.functions.values()
              for call in fn.loop_calls for name in call.handed}
    threads = _thread_code(project)
    for name, (fn, file) in sorted(project.functions.items()):
        if not fn.loop_calls or fn.is_async or name in handed:
            continue  # a function handed to a loop runs on the loop's own thread
        if fn.checks_running_loop or _asks_through_helper(project, fn):
            continue  # it asks for the running loop (itself or through a helper it calls,
            # ``self._bind_loop()``): what it schedules, it schedules there
        thread = threads.get(name) or _lock_held(project, fn, file.path) \
            or _hands_off_threadsafe(project, fn)
        for call in fn.loop_calls if thread else ():
            what = _unsafe(project, call, file.path, thread)
            if what:
                yield RULE.finding(file, call.site, what.format(thread=thread.says))
    yield from _thread_loops_set(project)


@dataclass(frozen=True)
class Thread:
    """Why a function runs on a thread other than its loop's."""

    says: str  # for the message
    worker: bool  # a worker thread runs it (else: it holds a threading lock)
    beside_loop: bool  # a coroutine, or code a coroutine calls, started the thread


def _lock_held(project: Project, fn: Function, path: str) -> Thread | None:
    """Sync code that holds a ``threading`` lock is written for callers on several threads
    (unless it runs a loop of its own, or overrides a base's method: the base's callers
    decide the thread)."""
    if _runs_own_loop(fn) or _overrides(project, fn):
        return None
    for call in fn.loop_calls:
        if call.method == lc.HOLDS and any(t.name in kb.THREAD_LOCKS for t in
                                           project.types.of_all(call.receiver, path)):
            return Thread(f"code that holds a `threading` lock (`{call.text}`), written for "
                          "callers on several threads", worker=False, beside_loop=True)
    return None


def _hands_off_threadsafe(project: Project, fn: Function) -> Thread | None:
    """Sync code that hands work to a loop with ``call_soon_threadsafe`` and schedules on the
    same loop directly is written to run off that loop's thread (a foreign library's callback
    thread): its direct scheduling comes from that thread too. Unless it asks which loop
    runs here through a helper (``if self._on_loop(): loop.call_soon``; asking itself, it is
    left out in ``check``): then the direct call is the branch for the loop's own thread."""
    if _runs_own_loop(fn) or _asks_through_helper(project, fn):
        return None
    threadsafe = {call.text for call in fn.loop_calls if call.method == "call_soon_threadsafe"}
    if any(call.method in lc.LOOP_METHODS and call.text in threadsafe for call in fn.loop_calls):
        return Thread(f"code that hands work to the loop with `{sorted(threadsafe)[0]}"
                      ".call_soon_threadsafe()`, written to run off the loop's thread",
                      worker=True, beside_loop=True)
    return None


def _asks_through_helper(project: Project, fn: Function) -> bool:
    return any(not helper[0].is_async and helper[0].checks_running_loop
               for ref in fn.refs if (helper := project.function(ref)) is not None)


# -- which functions run on a worker thread ----------------------------------------------


def _thread_code(project: Project) -> dict[str, Thread]:
    """Sync functions a worker thread runs (its target and what the target calls), unless
    the thread makes or runs a loop of its own."""
    found: dict[str, Thread] = {}
    for target, (where, beside_loop) in sorted(_targets(project).items()):
        closure = _closure(project, target)
        if any(_runs_own_loop(project.functions[name][0]) for name in closure):
            continue
        thread = Thread(f"a worker thread (`{target.rsplit('.', 1)[-1]}`, started at {where})",
                        worker=True, beside_loop=beside_loop)
        for name in closure:
            found.setdefault(name, thread)
    return found


def _targets(project: Project) -> dict[str, tuple[str, bool]]:
    """Thread targets -> where one starts, and whether a coroutine (or sync code a coroutine
    calls) starts it."""
    found: dict[str, tuple[str, bool]] = {}
    for target in project.thread_targets():
        if target.function.is_async:
            continue
        name = target.function.qualname
        where, beside = found.get(name, (f"{os.path.basename(target.path)}:{target.line}",
                                         False))
        found[name] = (where, beside or _under_loop(project, target.submitter))
    return found


def _under_loop(project: Project, function: str) -> bool:
    """A coroutine, or a sync function a coroutine calls (``Worker(...)`` in ``async def``)."""
    fn = project.functions.get(function)
    if fn is None:
        return False
    if fn[0].is_async:
        return True
    for call, _ in project.callers.get(function, ()):
        caller = project.functions.get(call.site.scope) if call.site else None
        if caller is not None and caller[0].is_async:
            return True
    return False


def _closure(project: Project, target: str) -> list[str]:
    """The target and the sync functions it refers to, not those it hands to a loop."""
    seen, pending = [target], [target]
    while pending and len(seen) < _MAX_CLOSURE:
        fn, _ = project.functions[pending.pop()]
        handed = {name for call in fn.loop_calls for name in call.handed}
        for ref in sorted(fn.refs - handed):
            callee = project.function(ref)
            if callee is not None and not callee[0].is_async and callee[0].qualname not in seen:
                seen.append(callee[0].qualname)
                pending.append(callee[0].qualname)
    return seen


def _overrides(project: Project, fn: Function) -> bool:
    """A method a base class may define: whoever calls the base's decides the thread."""
    if fn.cls is None or fn.cls not in project.classes:
        return False
    method = fn.qualname.rsplit(".", 1)[-1]
    bases = [project.resolve(b) for b in project.classes[fn.cls].bases]
    return any(base not in ("object", "builtins.object") and (
        base not in project.classes or project.function(f"{base}.{method}") is not None)
        for base in bases)


def _runs_own_loop(fn: Function) -> bool:
    return bool(fn.loop_starts) or any(call.method in (lc.MAKES, lc.RUNS)
                                       for call in fn.loop_calls)


# -- what only the loop's own thread may do ----------------------------------------------


def _unsafe(project: Project, call: LoopCall, path: str, thread: Thread) -> str:
    """What the call does that only the loop's thread may (a format with ``{thread}``): a
    task with no loop (a worker thread's), a loop's scheduling (a worker thread's), an asyncio
    primitive's wake-up (a thread started beside a loop, or code under a threading lock)."""
    if call.thread_asked:
        return ""  # the branch for the thread the function asked for: the loop's own
    if call.method in lc.TASK_FUNCTIONS and thread.worker:
        return (f"`{call.method.rsplit('.', 1)[-1]}()` in {{thread}} that runs no event loop: "
                "RuntimeError, or a task nobody runs; use "
                "`asyncio.run_coroutine_threadsafe(coro, loop)`")
    if call.method in lc.RUNNING_TASK_FUNCTIONS and thread.worker:
        return (f"`{call.method.rsplit('.', 1)[-1]}()` in {{thread}} that runs no event loop: "
                "RuntimeError (no running event loop); catch it, or ask on the loop's thread")
    if call.method in lc.LOOP_METHODS and thread.worker and _is_loop(project, call, path):
        return (f"`{call.text}.{call.method}()` in {{thread}}: only the thread that runs the "
                "loop may schedule on it (the loop is not woken, its queues race); use "
                "`asyncio.run_coroutine_threadsafe` or `call_soon_threadsafe`")
    if call.method in lc.PRIMITIVE_METHODS and thread.beside_loop \
            and (kind := _primitive(project, call, path)) and _awaited(project, call, kind):
        return (f"`{call.text}.{call.method}()` on an `asyncio.{kind}` in {{thread}}: it wakes "
                "its waiters through their loop from the wrong thread (not thread-safe); use "
                f"`loop.call_soon_threadsafe({call.text}.{call.method}"
                f"{'' if call.method == 'set' else ', ...'})`")
    return ""


def _is_loop(project: Project, call: LoopCall, path: str) -> bool:
    if any(value.op is Op.LOOP for value in call.receiver):
        return False  # this thread's own loop (or none): LD503's business
    types = project.types.of_all(call.receiver, path)
    if any(t.name == LOOP or t.name in kb.LOOP_CLASSES for t in types):
        return True
    return not types and call.text.rsplit(".", 1)[-1].lower().endswith("loop")


def _primitive(project: Project, call: LoopCall, path: str) -> str:
    types = project.types.of_all(call.receiver, path)
    for typ in types:
        if kind := _primitive_kind(typ.name):
            return kind
    if not types and "." in call.text and call.text.rpartition(".")[2].isidentifier():
        return _attribute_kind(project, call.text.rpartition(".")[2])
    return ""


def _primitive_kind(name: str) -> str:
    if name in kb.ASYNCIO_PRIMITIVES or name in kb.ASYNCIO_FUTURES:
        return name.rsplit(".", 1)[-1]
    return "Future" if name.endswith(".create_future") else ""


_WAITS = {"Event": "wait", "Condition": "wait", "Queue": "get", "PriorityQueue": "get",
          "LifoQueue": "get"}  # what a coroutine awaits on a primitive that set()/put wakes
_AWAITED: WeakKeyDictionary[Project, frozenset[tuple[str, str]]] = WeakKeyDictionary()


def _awaited(project: Project, call: LoopCall, kind: str) -> bool:
    """Does a coroutine wait on the attribute (``await x.event.wait()``)? Without a waiter
    a wake-up from another thread changes a flag nobody waits on. (A local or a parameter,
    and a future, are taken as waited on.)"""
    _, dot, attribute = call.text.rpartition(".")
    if not dot or kind not in _WAITS:
        return True
    if project not in _AWAITED:
        _AWAITED[project] = frozenset(
            (parts[-2], parts[-1]) for fn, _ in project.functions.values() if fn.is_async
            for ref in fn.refs if len(parts := ref.rsplit(".", 2)) == 3
            and parts[-1] in ("wait", "get"))
    return (attribute, _WAITS[kind]) in _AWAITED[project]


_ATTRIBUTES: WeakKeyDictionary[Project, dict[str, list[str]]] = WeakKeyDictionary()


def _attribute_kind(project: Project, attribute: str) -> str:
    """``listener.event`` of an untyped ``listener``: the asyncio primitive every project
    class's ``event`` attribute is bound to, or ''."""
    if project not in _ATTRIBUTES:
        found: dict[str, list[str]] = defaultdict(list)
        for target in project.bindings:
            owner, _, name = target.rpartition(".")
            if owner in project.classes:
                found[name].append(target)
        _ATTRIBUTES[project] = found
    kinds = {_primitive_kind(t.name) for target in _ATTRIBUTES[project].get(attribute, ())
             for binding, file in project.bindings[target]
             for t in project.types.of_all(binding.values, file.path)}
    return next(iter(kinds)) if len(kinds) == 1 else ""


# -- another thread's running loop set as this thread's ----------------------------------


def _thread_loops_set(project: Project) -> Iterator[Finding]:
    loops = _loops_run_by_threads(project)
    for fn, file in project.functions.values():
        if _runs_here(fn):
            continue
        for call in fn.loop_calls:
            if call.method == lc.SETS and _run_by_thread(project, call.receiver, loops):
                yield RULE.finding(file, call.site, (
                    f"`set_event_loop({call.text})` sets a loop that another thread runs "
                    "forever as this thread's current loop: this thread's "
                    "`run_until_complete` on it fails (already running) and what it makes "
                    "binds to a loop it does not run; hand coroutines over with "
                    "`run_coroutine_threadsafe`"))


def _runs_here(fn: Function) -> bool:
    return any(call.method == lc.RUNS for call in fn.loop_calls)


def _loops_run_by_threads(project: Project) -> set[Value]:
    """The loops a thread's ``run_forever`` runs, as the values they are made as."""
    return {value for fn, _ in project.functions.values() for call in fn.loop_calls
            if call.method == lc.RUN_BY_THREAD for value in call.receiver}


def _run_by_thread(project: Project, values: Values, loops: set[Value], depth: int = 0) -> bool:
    """Is one of the values a loop a thread runs forever: made where one is, returned by a
    function or held by a global or attribute that holds one, or a library's such loop?"""
    if depth > _MAX_DEPTH:
        return False
    for value in values:
        if value in loops:
            return True
        name = project.resolve(value.name) if value.op in (Op.CALL, Op.NAME) else ""
        if value.op is Op.CALL and name in kb.THREAD_LOOP_GETTERS:
            return True
        if value.op is Op.CALL and (fn := project.function(name)) is not None \
                and _run_by_thread(project, fn[0].returns, loops, depth + 1):
            return True
        if value.op is Op.NAME and any(
                _run_by_thread(project, binding.values, loops, depth + 1)
                for binding, _ in project.bindings_of(name)[:_MAX_BINDINGS]):
            return True
    return False


RULE = Rule(
    code="LD506",
    name="loop-used-from-foreign-thread",
    summary="A loop's create_task / call_soon, asyncio.create_task / current_task, "
            "or an asyncio Event's set() / Queue's put_nowait in a worker thread that does not "
            "run that loop "
            "(or in sync code under a threading lock), or another thread's running loop set as "
            "this thread's loop.",
    needs=(("asyncio",),
           ("create_task", "ensure_future", "call_soon", "call_later", "call_at", ".set()",
            "put_nowait", "set_result", "set_exception", "set_event_loop", "current_task",
            "all_tasks")),
    check=check,
    doc="""\
## Why
An event loop and what is bound to it (tasks, futures, `asyncio.Event`, `asyncio.Queue`)
are not thread-safe: only the thread that runs the loop may touch them. From a worker thread
(`threading.Thread(target=...)`, an executor's `submit`, `run_in_executor`, `to_thread`),
`loop.create_task(...)` and `loop.call_soon(...)` change the loop's queues while it runs
without waking it (the work starts late, or never), `event.set()` and `queue.put_nowait()`
wake waiters through the loop from the wrong thread ("Non-thread-safe operation invoked on an
event loop other than the current one" in debug mode), and `asyncio.create_task` (like
`asyncio.current_task()` and `all_tasks()` with no loop given, outside `try ... except
RuntimeError`) finds no running loop at all. Setting a loop that another thread runs
forever as this thread's loop (`asyncio.set_event_loop(fsspec.asyn.get_loop())`) makes
every later `run_until_complete` fail and binds what this thread makes to a loop it does
not run.

What counts as another thread: a function a worker thread runs (its target and the sync
functions it calls, unless that thread makes or runs a loop of its own); for an asyncio
primitive, only a thread a coroutine starts (a loop runs beside it), or sync code that holds a
`threading` lock (written for callers on several threads; not a method a base class defines,
whose callers decide the thread); sync code that hands work to a loop with
`call_soon_threadsafe` and schedules on the same loop directly (`loop.create_task`) beside it,
written to run off that loop's thread (a callback a foreign library calls on its own thread),
unless it asks, itself or through a helper, whether that loop runs on its thread. Sync code
that asks for the running loop (`get_running_loop()`, `loop.is_running()`), itself or through
a helper it calls (`self._bind_loop()`), schedules on the loop it finds there: left out
wherever it runs. So is a call on the branch for the thread the code asks for
(`if thread is threading.current_thread(): loop.call_soon(loop.stop)`, `get_ident() ==`, the
`else` of `is not`, or after `if ... is not thread: return`): the loop's own thread.
A function handed to a loop (`call_soon_threadsafe(f)`,
`call_later(t, f)`, `add_done_callback(partial(f, x))`) runs on the loop's thread. A receiver
is a loop when its type is one, or when nothing is known of it and its name ends in `loop`.
A future or primitive the same function made and handed to nobody before it sets it
(`future = asyncio.Future()` ... `future.set_result(None)`, an already-done future it returns)
has no waiters yet: left out.

## Bad
```python
def worker(loop, event):
    result = compute()
    loop.call_soon(print, result)
    event.set()

threading.Thread(target=worker, args=(loop, event)).start()
```

## Good
```python
def worker(loop, event):
    result = compute()
    loop.call_soon_threadsafe(print, result)
    loop.call_soon_threadsafe(event.set)
```

## Fix
Hand the work to the loop's own thread: `loop.call_soon_threadsafe(callback, *args)` for a
callback (`event.set`, `queue.put_nowait`, `future.set_result`), and
`asyncio.run_coroutine_threadsafe(coro, loop)` for a coroutine (it returns a
`concurrent.futures.Future` the thread may wait on). A thread that makes and runs a loop of
its own may use that loop directly.
""",
)
