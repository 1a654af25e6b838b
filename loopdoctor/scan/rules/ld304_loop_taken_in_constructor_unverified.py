"""LD304 (preview): LD303's shape, where nothing here shows the object made outside a loop."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.context import FileContext, Scope
from loopdoctor.scan.model import EVERY_PYTHON, Bind, Binding, Candidate, Finding, Function, Op
from loopdoctor.scan.project import Project, short_name, takes_loop_when_made
from loopdoctor.scan.rules.base import Rule
from loopdoctor.scan.rules.ld302_module_level_asyncio_primitive import (
    coroutine_users,
    other_loops_miss_it,
)
from loopdoctor.scan.rules.ld303_loop_taken_in_constructor import RULE as LD303
from loopdoctor.scan.rules.ld303_loop_taken_in_constructor import (
    message,
    reported_by,
    taken_in_constructors,
)


def check(project: Project) -> Iterator[Finding]:
    for binding, file, bound, evidence, direct, own in taken_in_constructors(project):
        cls = _class_of(project, binding)
        if reported_by(project, bound, evidence, direct, own) == RULE.code \
                and not _made_by_its_loop(project, cls) \
                and not (not evidence and _documented_in_async_with(project, cls)):
            yield RULE.finding(file, binding.site, message(project, binding, file, bound,
                                                           evidence))
    yield from _waits_on_kept_loop(project)
    yield from _waiting_primitives_made_at_import(project)


def _class_of(project: Project, binding: Binding) -> str:
    writer = project.functions.get(binding.site.scope)
    return (writer[0].cls or "") if writer is not None else ""


def _documented_in_async_with(project: Project, cls: str) -> bool:
    """Nothing here makes the object outside a loop, and its docstring shows it made in
    ``async with Name(...)`` (a base's: every subclass's does), inside a coroutine: the loop
    current in its constructor is the running one that uses it."""
    info = project.classes.get(cls)
    if info is None:
        return False
    if info.entered_async:
        return True
    subclasses = list(project.descendants(cls))
    return bool(subclasses) and all(project.classes[sub].entered_async
                                    or project.subclasses.get(sub) for sub in subclasses) \
        and any(project.classes[sub].entered_async for sub in subclasses)


def _made_by_its_loop(project: Project, cls: str) -> bool:
    """An asyncio protocol is made by the loop that drives it: ``create_connection``,
    ``create_server`` and friends call its factory on that loop. So is a mixin only
    protocols of this project derive from."""
    if not cls:
        return False
    if any(base in kb.ASYNCIO_PROTOCOLS for base in project.mro(cls)):
        return True
    derived = project.subclasses.get(cls, ())
    return bool(derived) and all(
        any(base in kb.ASYNCIO_PROTOCOLS for base in project.mro(sub)) for sub in derived)


def _waiting_primitives_made_at_import(project: Project) -> Iterator[Finding]:
    """A module- or class-level Event, Condition or Queue that coroutines wait on, which
    LD302 leaves to the one loop that serves its users (no second loop of the project reaches
    it). Up to Python 3.9 it took the importing thread's current loop when made, at import
    (and raised in a thread that has none): whichever loop serves its waiters, they wait on
    futures of that first one."""
    if not project.primitives_bind_when_made:
        return
    for binding, file in project.primitives():
        kind = project.resolve(binding.values[0].name)
        if kind not in kb.WAITING_PRIMITIVES or not binding.kind.at_import \
                or project.is_script(file) or not other_loops_miss_it(project, binding.target):
            continue
        users = coroutine_users(project, binding, kind)
        if users:
            yield RULE.finding(file, binding.site, (
                f"`{kind}` `{short_name(binding.target)}` is made at import, and coroutines "
                f"wait on it (`{users[0].qualname.rsplit('.', 1)[-1]}`): up to Python 3.9 it "
                f"binds to the importing thread's current event loop when made (and raises in "
                f"a thread that has none), not to the loop its waiters run on"))


def _waits_on_kept_loop(project: Project) -> Iterator[Finding]:
    """A constructor keeps the running loop (or a loop it is given) on the instance, and a
    coroutine method of the class awaits futures made on that kept loop
    (``self._loop.create_future()``) without asking which loop runs it: the object waits on
    its first loop's futures whichever loop uses it, as asyncio's own primitives did up to
    Python 3.9. One that compares the kept loop with the running one is left out, and so is
    a class this project makes only inside coroutines: the loop it keeps is the one that made
    it (a long-lived holder of such objects is LD201's)."""
    for target, found in project.bindings.items():
        for binding, file in found:
            writer = project.functions.get(binding.site.scope)
            if binding.kind is not Bind.INSTANCE or writer is None \
                    or not writer[0].setup or not writer[0].cls \
                    or not (taken := _kept_loop(binding, writer[0])) \
                    or project.made_in_coroutines(writer[0].cls) \
                    or _made_by_its_loop(project, writer[0].cls):
                continue
            attr = target.rpartition(".")[2]
            waiting = _awaiting_futures_of(project, writer[0].cls, attr)
            if waiting and not _asks_running_loop(project, writer[0].cls, attr):
                yield RULE.finding(file, binding.site, _kept_loop_message(
                    writer[0], attr, taken, waiting))


def _kept_loop(binding: Binding, writer: Function) -> str:
    """What the stored value is: the running loop, a loop parameter, or "" for neither."""
    for value in binding.values:
        if value.op is Op.LOOP and value.name in kb.RUNNING_LOOP_PROBES:
            return "the running loop"
        if value.op is Op.PARAM and value.name == writer.qualname \
                and 0 < value.index < len(writer.params) \
                and writer.params[value.index] in kb.LOOP_KEYWORDS:
            return f"the loop it is given (`{writer.params[value.index]}`)"
    return ""


def _awaiting_futures_of(project: Project, cls: str, attr: str) -> str:
    """The first coroutine method of ``cls`` (or a base) that makes futures on ``attr``."""
    for name in project.methods(cls):
        fn = project.functions[name][0]
        if fn.is_async and f"{fn.cls}.{attr}.create_future" in fn.refs:
            return name.rpartition(".")[2]
    return ""


def _asks_running_loop(project: Project, cls: str, attr: str) -> bool:
    """Does a method other than the constructor read ``attr`` and ask for the running
    loop (to compare, or to rebind)?"""
    return any(fn.checks_running_loop and not fn.setup
               and any(ref == kept or ref.startswith(f"{kept}.") for ref in fn.refs)
               for name in project.methods(cls)
               for fn in [project.functions[name][0]]
               for kept in [f"{fn.cls}.{attr}"])


def _kept_loop_message(writer: Function, attr: str, taken: str, waiting: str) -> str:
    setup = writer.qualname.rpartition(".")[2]
    return (f"`{setup}` keeps {taken} in `{attr}`, and `{waiting}` awaits futures made on it "
            f"(`{attr}.create_future()`): used from another event loop, the object waits on "
            f"its first loop's futures (a hang, or \"attached to a different loop\"); take the "
            f"running loop when waiting, and refuse or rebind when it changed")


def collect(ctx: FileContext) -> Iterator[Candidate]:
    """A sync function (a decorator, a factory) makes an object that takes the loop into a
    local that a coroutine function defined in it uses: the object is made when the outer
    function runs (for a decorator, at import, like a module-level primitive: any of them),
    not on the loop that awaits the inner one."""
    for inner in ctx.functions():
        outer = inner.parent
        if not inner.is_async or outer is None or outer.kind != "function" or outer.is_async \
                or not _returns(outer, inner):
            continue
        for name in sorted(_free_names(inner)):
            for call in ctx.assigned_calls(name, outer):
                made = ctx.callee(call, outer)
                if made is not None and takes_loop_when_made(made, kb.ASYNCIO_PRIMITIVES) \
                        and not any(k.arg in kb.LOOP_KEYWORDS for k in call.keywords):
                    yield RULE.candidate(ctx.site(call, outer), _closure_message(
                        outer, inner, name, made), _python_below(made))


def _python_below(made: str) -> tuple[int, int]:
    """An asyncio primitive binds when made only before Python 3.10; other objects always."""
    return kb.PRIMITIVES_BIND_ON_FIRST_USE if made in kb.ASYNCIO_PRIMITIVES else EVERY_PYTHON


def _returns(outer: Scope, inner: Scope) -> bool:
    """The outer function hands the coroutine function out (``return wrapped``, also
    wrapped in ``functools.wraps``) rather than running it there and then."""
    name = inner.qualname.rsplit(".", 1)[-1]
    for node in ast.walk(outer.node):
        if isinstance(node, ast.Return) and node.value is not None:
            inside = list(ast.walk(node.value))
            called = {id(n.func) for n in inside if isinstance(n, ast.Call)}
            if any(isinstance(n, ast.Name) and n.id == name and id(n) not in called
                   for n in inside):
                return True
    return False


def _free_names(inner: Scope) -> set[str]:
    """Names a function reads and never binds itself."""
    read = {n.id for n in ast.walk(inner.node)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return read - inner.locals - set(inner.assigns)


def _closure_message(outer: Scope, inner: Scope, name: str, made: str) -> str:
    when = "up to Python 3.9 it binds" if made in kb.ASYNCIO_PRIMITIVES else "it binds"
    outer_name, inner_name = (s.qualname.rsplit(".", 1)[-1] for s in (outer, inner))
    return (f"`{outer_name}` makes `{made}` in `{name}`, which the coroutine function "
            f"`{inner_name}` uses: made when `{outer_name}` runs (for a decorator, at import), "
            f"{when} to that thread's current event loop, not to the loop that awaits "
            f"`{inner_name}`")


RULE = Rule(
    code="LD304",
    name="loop-taken-in-constructor-unverified",
    summary="(preview) LD303's shape without direct evidence that the class is made outside "
            "a running loop; a loop taken through a project class, a Kafka producer or "
            "asyncio.Future; an asyncio primitive made outside a loop (bound up to 3.9); "
            "a kept loop whose futures the object's coroutines await.",
    needs=((*LD303.needs[0], "create_future"),),
    collect=collect,
    check=check,
    exports=LD303.exports,
    preview=True,
    doc="""## Why
The same hazard as LD303: `__init__` (or a validator) keeps `asyncio.get_event_loop()`, or
makes an object that binds to the current loop when made (a grpc.aio channel, a Google
`*AsyncClient`, an `aiohttp.ClientSession`, a Kafka producer). Here nothing in the scanned
code makes such an object outside a running loop or drives the kept loop: a library whose
users make it at import or in sync setup code has the bug, one whose users make it inside
`async def` does not. aiohttp's session and connector (3.10+) take the *running* loop, and
raise outside one: without that evidence they are not reported here. Also here, because
they bind when made only up to Python 3.9 (since 3.10 they bind to the loop that first
waits on them): an asyncio `Event`, `Condition` or
`Queue` made in a constructor whose object this project makes outside a running loop, and
any asyncio primitive a sync function (a decorator, a factory) makes for the coroutine
function it defines, which is made when the decorator runs, at import, and a module- or
class-level
`Event`, `Condition` or `Queue` that coroutines wait on and that LD302 leaves to the one
loop serving its users (no second loop of the project reaches it): made at import, it took
the importing thread's loop (or raised in a thread without one), not that loop. These
primitive shapes are reported only while the code still runs on Python 3.9 or older: the
target version (`--target-version`, `target-version` in `[tool.loopdoctor]`, else the
`requires-python` of the nearest pyproject.toml, else py39). And a constructor that keeps the
running loop, or a loop it is given, on the instance while a coroutine method awaits futures
made on it (`self._loop.create_future()`) and nothing compares it with the running loop: a
lock-like object made under one loop and used under another waits on the first loop's
futures (a class this project makes only inside coroutines keeps the loop that uses it, and
is left out). An asyncio protocol (a subclass of `asyncio.Protocol`, `BaseProtocol` or
asyncio's `StreamReaderProtocol`, or a mixin only such protocols derive from) is left out
too: the loop's `create_connection` or `create_server` calls its factory on the loop that
then drives it. So is a class made only inside coroutines (directly, through a table of
classes, or by the constructor of an object made there), and one nothing here makes outside
a loop whose docstring shows it made in `async with Name(...)` (a base: every subclass's
does). A project class that only
holds such an object is not reported again while nothing shows it made outside a loop and it
runs no loop itself: the held object is reported where it takes the loop. A preview rule:
select `LD304` to see these.

## Bad
```python
class ChatModel(BaseModel):
    @root_validator()
    def validate_environment(cls, values):
        values["async_client"] = build_generative_async_service(...)  # grpc.aio, now
        return values

model = ChatModel()  # in the user's code, at import


def throttle(limit, fetch):  # a decorator, applied at import
    semaphore = asyncio.Semaphore(limit)  # Python 3.9: the import thread's loop

    async def wrapped(*args):
        async with semaphore:
            return await fetch(*args)
    return wrapped
```

## Good
```python
class ChatModel(BaseModel):
    @root_validator()
    def validate_environment(cls, values):
        if _is_event_loop_running():  # made inside the loop that uses it
            values["async_client"] = build_generative_async_service(...)
        return values


def throttle(limit, fetch):
    semaphore = None

    async def wrapped(*args):
        nonlocal semaphore
        if semaphore is None:  # on the first call, on the loop that awaits it
            semaphore = asyncio.Semaphore(limit)
        async with semaphore:
            return await fetch(*args)
    return wrapped
```

## Fix
Make such objects lazily, inside the loop that uses them, or only when a loop is running.
""",
)
