"""LD505: a library's sync function runs ``asyncio.get_event_loop()`` with no fallback."""

from __future__ import annotations

from collections.abc import Iterator

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.model import FileFacts, Finding, Function, Op
from loopdoctor.scan.project import Project, private
from loopdoctor.scan.rules.base import Rule

MESSAGE = ("`{name}` runs a coroutine with `run_until_complete` on `asyncio.get_event_loop()` "
           "and makes no loop when there is none: called from a thread its caller started (a "
           "WSGI worker, an executor) it raises \"There is no current event loop in thread\"")
RUNNING = ", and from inside a running loop \"This event loop is already running\""
CAPTURED = ("`{maker}` takes `asyncio.get_event_loop()` when it runs and `{runner}` runs "
            "coroutines on that loop with `run_until_complete` ({at}) on every later call: "
            "from another thread, under a running loop or after that loop is closed, the "
            "calls go to the loop that was current when `{maker}` ran")
KEPT = ("`{runner}` runs coroutines with `run_until_complete` ({at}) on the loop "
        "`{maker}` takes with `asyncio.get_event_loop()`, which makes no loop when there is "
        "none: called from a thread its caller started it raises \"There is no current event "
        "loop in thread\" (since Python 3.14 in the main thread too), and a loop it keeps "
        "serves every later call, whichever thread or loop makes it")
NO_LOOP_YET = ("`{name}` takes `asyncio.get_event_loop()` at the program's start, where nothing "
               "has set a loop in its thread: Python 3.14 raises \"There is no current event "
               "loop in thread 'MainThread'\" there (3.12 and 3.13 warn), as any thread without "
               "a loop does; make the loop with `asyncio.new_event_loop()` and "
               "`set_event_loop()`, or run the program with `asyncio.run`")
AT_IMPORT = ("`{name}` takes `asyncio.get_event_loop()` and runs when a module is imported "
             "or run as a script (its top level calls it{via}), where nothing has set a loop in "
             "the thread: Python 3.14 raises \"There is no current event loop in thread "
             "'MainThread'\" at the import (3.12 and 3.13 warn); make and set a loop first, or "
             "take the loop where a coroutine runs")
CALLERS_DEPTH = 3  # how many calls away from a program's entry point its start is followed


def check(project: Project) -> Iterator[Finding]:
    reported, taken = set(), set()
    for name, (fn, file) in sorted(project.functions.items()):
        if _borrows_current_loop(fn) and not _self_contained(project, fn, file) \
                and (_public_method(fn) or _called_by_library_code(project, fn)):
            reported.add(name)
            short = name.rsplit(".", 1)[-1]
            running = "" if fn.checks_running_loop else RUNNING
            for site in fn.get_event_loop_sites:
                yield RULE.finding(file, site, MESSAGE.format(name=short) + running)
    for finding in (*_closures_over_a_taken_loop(project), *_loops_kept_then_run(project)):
        if (finding.scope, finding.line) not in taken:
            taken.add((finding.scope, finding.line))
            reported.add(finding.scope)
            yield finding
    yield from _program_start_without_a_loop(project, reported)


def _closures_over_a_taken_loop(project: Project) -> Iterator[Finding]:
    """A factory takes the current loop and returns (or keeps) a sync closure that runs
    coroutines on it: the loop of the factory's moment, not of the closure's caller."""
    reported = set()
    for _, (fn, _) in sorted(project.functions.items()):
        for start in fn.loop_starts:
            found = project.functions.get(start.captured_from)
            if found is None or start.captured_from in reported or fn.is_async:
                continue
            maker, maker_file = found
            if _takes_current_loop(maker) and not _self_contained(project, maker, maker_file) \
                    and (_public_method(maker) or _called_by_library_code(project, maker)):
                reported.add(start.captured_from)
                message = CAPTURED.format(maker=_short(maker), runner=_short(fn),
                                          at=f"line {start.site.line}")
                for site in maker.get_event_loop_sites:
                    yield RULE.finding(maker_file, site, message)


def _loops_kept_then_run(project: Project) -> Iterator[Finding]:
    """A sync getter returns ``get_event_loop()`` (or keeps it on the instance) and a sync
    function of the library's API runs coroutines on what it returns, or on the kept
    attribute, with ``run_until_complete``: the same borrowed loop as a direct call, one
    step away, reported where the getter takes it."""
    for _, (fn, file) in sorted(project.functions.items()):
        if not _borrows_through_a_call(fn) or _self_contained(project, fn, file) \
                or not (_public_method(fn) or _called_by_library_code(project, fn)):
            continue
        for call in fn.calls:
            base, _, method = call.callee.rpartition(".")
            if method != "run_until_complete":
                continue
            for maker, maker_file in _loop_takers(project, base):
                line = call.site.line if call.site else fn.site.line
                at = f"line {line}" if maker_file is file else f"{file.path}:{line}"
                message = KEPT.format(maker=_short(maker), runner=_short(fn), at=at)
                for site in maker.get_event_loop_sites:
                    yield RULE.finding(maker_file, site, message)


def _borrows_through_a_call(fn: Function) -> bool:
    """A sync function that runs ``run_until_complete`` on a loop it did not make, with no
    ``get_event_loop()`` of its own (those are the direct path's)."""
    return not fn.is_async and not fn.get_event_loop_sites and not fn.sets_event_loop \
        and not fn.fresh_loop_preferred and any(
            start.api == "run_until_complete" and not start.fresh_loop and not start.per_thread
            and not start.in_thread for start in fn.loop_starts)


def _loop_takers(project: Project, base: str) -> Iterator[tuple[Function, FileFacts]]:
    """The sync functions that take ``get_event_loop()`` (unguarded, no loop set) for
    ``base``: a getter that returns it, or a writer of the attribute that keeps it."""
    found = project.functions.get(base)
    if found is not None:
        if _takes_current_loop(found[0]) and any(
                v.op is Op.LOOP and v.name in kb.GET_EVENT_LOOP and not v.index
                for v in found[0].returns):
            yield found
        return
    for binding, _ in project.bindings.get(base, ()):
        writer = project.functions.get(binding.site.scope)
        if writer is not None and not writer[0].setup and _takes_current_loop(writer[0]) \
                and any(v.op is Op.LOOP and v.name in kb.GET_EVENT_LOOP and not v.index
                        for v in binding.values):
            yield writer


def _program_start_without_a_loop(project: Project, reported: set[str]) -> Iterator[Finding]:
    """A program's own start (``main()``, a CLI command, or a sync function only those call)
    takes ``get_event_loop()`` where no ``set_event_loop()`` came before it, in it or in its
    callers: the main thread has no loop there, which Python 3.14 no longer makes on demand.
    Library code is the rest of this rule's; tests, a worker thread's code (LD503's) and
    code under a running loop (a coroutine's callee) are not a program's start. Code whose
    every Python is older than 3.14 (``requires-python = "<3.14"``) only gets a warning."""
    newest = project.newest_python
    if newest is not None and newest < kb.NO_LOOP_MADE_ON_DEMAND:
        return
    for _, (fn, file) in sorted(project.functions.items()):
        if fn.qualname in reported or fn.is_async or not fn.get_event_loop_unset \
                or fn.get_event_loop_guarded or fn.browser_only or project.in_tests(file) \
                or fn.qualname in project.thread_run \
                or not _starts_the_program(project, fn, file, CALLERS_DEPTH) \
                or any(callee.sets_event_loop for callee in project.callees(fn)):
            continue
        caller = _imported_caller(project, fn, CALLERS_DEPTH)
        text = NO_LOOP_YET.format(name=_short(fn)) if caller is None else AT_IMPORT.format(
            name=_short(fn), via="" if caller is fn else f", through `{_short(caller)}`")
        for site in fn.get_event_loop_unset:
            yield RULE.finding(file, site, text)


def _starts_the_program(project: Project, fn: Function, file: FileFacts, depth: int) -> bool:
    """``fn`` is a program's entry (not a test) or called by a module's top level (at
    import), or every function that uses it is one, or is used only by such, sync, with no
    loop set (in ``fn`` itself, its sites that no ``set_event_loop()`` precedes say that): it
    runs first, on the main thread, with no loop running."""
    if fn.is_async or fn.setup or (fn.sets_event_loop and depth < CALLERS_DEPTH):
        return False
    if fn.qualname in project.called_at_import:
        return True
    if fn.entry_point and project.program_code(fn, file):
        return not _short(fn).startswith("test_")
    users = project.users(fn)
    return depth > 0 and bool(users) and all(
        _starts_the_program(project, user, user_file, depth - 1) for user, user_file in users)


def _imported_caller(project: Project, fn: Function, depth: int) -> Function | None:
    """The function, ``fn`` or one of its users (up to ``depth`` calls away), that a module's
    top level calls: where the program's start is an import."""
    if fn.qualname in project.called_at_import:
        return fn
    if depth <= 0:
        return None
    for user, _ in project.users(fn):
        if (found := _imported_caller(project, user, depth - 1)) is not None:
            return found
    return None


def _takes_current_loop(fn: Function) -> bool:
    return not fn.is_async and not fn.sets_event_loop and not fn.get_event_loop_guarded \
        and bool(fn.get_event_loop_sites)


def _short(fn: Function) -> str:
    return fn.qualname.rsplit(".", 1)[-1]


def _borrows_current_loop(fn: Function) -> bool:
    """A sync function that takes the thread's current loop and runs a coroutine on it, but
    neither handles its absence (``except RuntimeError``), nor makes and sets a loop, nor
    tries ``asyncio.run`` first (LD504's, when its handler borrows the running loop) or
    where the Python version has it or where no loop runs (it asks), nor hands a loop of its
    own to a thread. An ``asyncio.run`` on another branch (another environment, a flag)
    leaves the branch that borrows the loop as it was."""
    starts = fn.loop_starts
    fresh = [start for start in starts if start.fresh_loop]
    return not fn.is_async and not fn.sets_event_loop and bool(fn.get_event_loop_sites) \
        and not fn.get_event_loop_guarded and not fn.fresh_loop_preferred \
        and not (fresh and fn.checks_running_loop) \
        and not any(start.in_thread for start in fresh) \
        and any(start.api == "run_until_complete" and not start.per_thread
                and not start.in_thread for start in starts)


def _self_contained(project: Project, fn: Function, file: FileFacts) -> bool:
    """A program's own entry (main, a CLI command, a test, a script), a function a worker
    thread runs (LD503's), ``__init__`` of an object a coroutine makes (LD501's), or code that
    runs only in a browser (Pyodide: one thread, whose loop is always there)."""
    return project.program_code(fn, file) or fn.browser_only \
        or fn.qualname in project.thread_run \
        or bool(fn.setup and fn.cls and project.made_in_coroutine(fn.cls))


def _public_method(fn: Function) -> bool:
    """A public method of a public class: the library's users call it, whatever its own
    scripts do."""
    method, cls = fn.qualname.rsplit(".", 1)[-1], (fn.cls or "").rsplit(".", 1)[-1]
    return bool(cls) and not cls.startswith("_") and not method.startswith("_")


def _called_by_library_code(project: Project, fn: Function) -> bool:
    """Some function of the project that is not a program's entry point nor a test uses it
    (its class, for a constructor); or nothing does and it is public (the library's API). A
    private helper nobody here calls is a test utility or dead code."""
    users = project.users(fn)
    if not users:
        return not private(fn)
    return not all(project.program_code(user, file) for user, file in users)


RULE = Rule(
    code="LD505",
    name="get-event-loop-in-sync-api",
    summary="A library's sync function runs a coroutine with "
            "get_event_loop().run_until_complete and makes no loop when the calling thread "
            "has none; or a program's start (or a function a module calls at import) takes "
            "get_event_loop() before any loop is set (Python 3.14 raises).",
    needs=(("get_event_loop",),),  # a program's start need not run the loop it takes
    check=check,
    doc="""\
## Why
`asyncio.get_event_loop()` returns the calling thread's loop only in the main thread (where
Python makes one on demand, with a DeprecationWarning since 3.12). A library's blocking
function built on `asyncio.get_event_loop().run_until_complete(coro)` works in a script and
fails as soon as a user calls it from a thread the library did not start (a WSGI or ASGI
worker, a `ThreadPoolExecutor`, a GUI's worker): "There is no current event loop in thread".
Called from code that already runs a loop (Jupyter, an async framework), it fails with "This
event loop is already running". The scan does not see the user's threads, only the
library's function that cannot serve them; on the real projects read, 18 of its 19 findings
were real hazards. A factory that takes `get_event_loop()` once and returns a sync closure
running `loop.run_until_complete(...)` (a document loader, a callback) is worse: every later
call runs on the loop of the factory's moment (the import-time loop when a module makes the
default one), reported where the factory takes it.

## Bad
```python
def _make_sync(coro):
    return asyncio.get_event_loop().run_until_complete(coro)

class Client:
    def get(self, path):
        return _make_sync(self.get_async(path))
```

## Good
```python
def _make_sync(coro):
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:  # a thread with no loop: give it one
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
    return loop.run_until_complete(coro)
```

A program's own start is the same hazard since Python 3.14: `get_event_loop()` no longer
makes a loop for the main thread, so `main()` (a CLI command, or a sync function only such
entries call) that takes it before anything set a loop in the thread raises "There is no
current event loop in thread 'MainThread'" (3.12 and 3.13 warn). A `set_event_loop()`
before it on its path (in it, or in the entry that calls it), `except RuntimeError` around
it, or a coroutine's caller (a running loop) leaves it silent; tests are left out.

```python
def main():
    loop = asyncio.get_event_loop()  # 3.14: RuntimeError; use asyncio.run(amain())
    loop.run_until_complete(amain())
```

An import is a program's start too: a function the module's own top level (or a class
body) calls, directly or up to three calls away, runs on the importing thread before anything
set a loop there, and the import itself raises on 3.14. What the top level calls after it
sets a loop itself (`asyncio.set_event_loop(...)`) is left out; what it calls before is not.

```python
def _setup_loop():
    if not isinstance(asyncio.get_event_loop(), QEventLoop):  # 3.14: the import raises
        asyncio.set_event_loop(QEventLoop())

_setup_loop()
```

Code that runs only in a browser's Python (a function or module that imports `js` or
`pyodide`, a `pyodide` package's modules) is left out: Pyodide has one thread, and its loop.

## Fix
Give a thread with no loop its own (`new_event_loop()` + `set_event_loop()`), or run each
call on a loop the library owns (`asyncio.run`, a portal thread), and refuse clearly when a
loop already runs in the calling thread. Keep what the coroutine reaches per loop.
""",
)
