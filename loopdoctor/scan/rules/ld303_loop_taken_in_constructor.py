"""LD303: an object that takes the current event loop when made, made in ``__init__``."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import replace

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.chain import chain
from loopdoctor.scan.context import FileContext, Scope, method_name
from loopdoctor.scan.model import Bind, Binding, Candidate, FileFacts, Finding, Op
from loopdoctor.scan.project import Project, takes_loop_before_310
from loopdoctor.scan.rules.base import Rule
from loopdoctor.scan.types import LOOP, Bound


def check(project: Project) -> Iterator[Finding]:
    for binding, file, bound, evidence, direct, own in taken_in_constructors(project):
        if reported_by(project, bound, evidence, direct, own) == RULE.code:
            yield RULE.finding(file, binding.site, message(project, binding, file, bound,
                                                           evidence))


def reported_by(project: Project, bound: Bound, evidence: str, direct: bool,
                own_loop: bool = False) -> str | None:
    """LD303 when the object is seen made outside a running loop, LD304 (preview) when not.
    An asyncio primitive binds when made only up to Python 3.9: LD304 with that evidence,
    when the code still runs on 3.9, nothing otherwise (made in ``__init__`` it is, since
    3.10, one per owner: fine); LD303 when the object runs a loop of its own (``own_loop``):
    wherever it is made, that loop is not the one current in its constructor. What
    is taken through a project class or a library's constructor, and evidence found only
    through the constructors of other objects, stay LD304: too often false on real code
    (an agent framework whose sync helpers all run on its loop) for the default. An object
    that takes the *running* loop (aiohttp's) is reported only with evidence: nowhere seen
    made outside a loop, it can only be on the loop that made it."""
    if takes_loop_before_310(bound):
        if not (evidence and project.primitives_bind_when_made):
            return None
        return "LD303" if own_loop and not bound.via else "LD304"
    if not evidence and bound.type in kb.TAKE_RUNNING_LOOP_WHEN_MADE:
        return None  # made outside a loop it raises at once; inside one, it is that loop's
    if bound.via or bound.type in kb.TAKE_LOOP_WHEN_MADE or not direct:
        return "LD304"
    return "LD303" if evidence else "LD304"


def taken_in_constructors(
    project: Project,
) -> Iterator[tuple[Binding, FileFacts, Bound, str, bool, bool]]:
    """Each loop (or object bound when made) a constructor takes, the evidence that the
    object is made, or its loop driven, outside a running loop ("" when none is visible),
    whether that evidence is about the object itself (not an object that makes it), and
    whether it is that an asyncio primitive's owner runs a fresh loop of its own.
    A project class that only holds such an object, with nothing seen made outside a loop
    and no loop run by the class itself, adds a second report and no evidence: left out."""
    for binding, file, bound in project.made_in_setup():
        setup = project.functions[binding.site.scope][0]
        cls = setup.cls or ""
        driven = project.drives_loop(cls) if bound.type == LOOP else ""
        own = (_own_fresh_loop(project, cls) or _made_then_run(project, cls)
               if takes_loop_before_310(bound) and not bound.via and not setup.sets_event_loop
               and not _made_again_in_coroutines(project, binding.target) else "")
        passed = _given_instead(project, binding, setup.qualname)
        made, direct = project.made_outside_loop(cls, passed)
        evidence = (f"the object drives that loop at {driven}" if driven else
                    f"{own}, not the one current when it is made" if own else
                    f"one is made outside a running loop at {made}" if made else "")
        if bound.via and bound.holds and not evidence and not _starts_loops(project, cls):
            continue  # left to the held object's own report, where it takes the loop
        if bound.type == LOOP and not bound.via and _never_read(project, binding.target):
            continue  # a kept loop nothing reads runs nothing
        yield binding, file, bound, evidence, direct or bool(driven) or bool(own), bool(own)


def _made_again_in_coroutines(project: Project, target: str) -> bool:
    """A coroutine stores the slot again (``self.event = asyncio.Event()`` in ``start``):
    what its waiters use may be the one made on their own loop, not the constructor's."""
    return any((writer := project.functions.get(other.site.scope)) is not None
               and writer[0].is_async for other, _ in project.bindings.get(target, ()))


def _made_then_run(project: Project, cls: str) -> str:
    """Where a sync function makes a ``cls`` and then (or in the same statement) starts a new
    loop itself (``asyncio.run(Peripheral().run())``), setting no loop as the current one: it
    cannot run inside a running loop, and the loop it starts is not the one current when the
    object was made. "" when none does."""
    init = project.functions.get(f"{cls}.__init__")
    for call, path in project.callers.get(init[0].qualname, ()) if init else ():
        maker = project.functions.get(call.site.scope) if call.site else None
        if maker is None or maker[0].is_async or maker[0].setup or maker[0].sets_event_loop:
            continue
        for start in maker[0].loop_starts:
            if start.fresh_loop and not (start.in_thread or start.per_thread) \
                    and start.site.end_line >= call.site.line:
                return (f"`{call.site.scope.rsplit('.', 1)[-1]}` makes it at {path}:"
                        f"{call.site.line} and then runs a new loop ({start.api}, line "
                        f"{start.site.line})")
    return ""


def _own_fresh_loop(project: Project, cls: str) -> str:
    """Where a method of ``cls`` (or a base) runs a loop it makes itself (``asyncio.run``, a
    ``new_event_loop()``; or ``run_until_complete`` while the class keeps a
    ``new_event_loop()`` on the instance), or "": a loop that is never the one current when
    the constructor runs."""
    keeps_new = any(
        binding.kind is Bind.INSTANCE and (writer := project.functions.get(binding.site.scope))
        is not None and writer[0].cls == cls
        and any(v.op is Op.LOOP and v.name in kb.NEW_EVENT_LOOP for v in binding.values)
        for found in project.bindings.values() for binding, _ in found)
    for name in project.methods(cls):
        fn, file = project.functions[name]
        for start in fn.loop_starts:
            if not start.per_thread and (start.fresh_loop or (
                    keeps_new and start.api == "run_until_complete" and not start.captured_from)):
                return f"the object runs a new loop of its own at {file.path}:{start.site.line}"
    return ""


def _never_read(project: Project, target: str) -> bool:
    """No code of the project reads an attribute of the slot's name (``self._loop``,
    ``other._loop``, a subclass's): the loop a constructor keeps there schedules nothing,
    whichever loop it is. A name read anywhere counts as read, whatever it is read on."""
    return target.rpartition(".")[2] not in project.attributes_read


def _given_instead(project: Project, binding: Binding, setup: str) -> int | None:
    """The parameter of the constructor that, when a caller gives it, is kept in the slot
    instead of what the constructor takes itself: ``loop or get_event_loop()``, or the same
    choice written as two stores of the slot in the constructor (``self._loop = loop`` in one
    branch, ``self._loop = get_event_loop()`` in the other; or the parameter first, the
    current loop when it is None). A caller that gives it decides which loop is kept."""
    for found in (binding, *(other for other, _ in project.bindings.get(binding.target, ())
                             if other.site.scope == binding.site.scope)):
        for value in found.values:
            if value.op is Op.PARAM and value.name == setup:
                return value.index
    return None


def _starts_loops(project: Project, cls: str) -> bool:
    """A method of ``cls`` (or a base) runs a loop itself: each run may be another loop."""
    return any(project.functions[name][0].loop_starts for name in project.methods(cls))


def _sync_makers(project: Project) -> set[str]:
    """The sync functions that make a loop-taking class, and the tables of callables that
    hold them: where they are called from, or who reads the tables, decides whether the
    object is made outside a loop."""
    makers = {call.site.scope for cls in project.loop_taking_classes
              for call, _ in project.callers.get(f"{cls}.__init__", ()) if call.site
              and (maker := project.functions.get(call.site.scope)) is not None
              and not maker[0].is_async and not maker[0].setup}
    return makers | {table for name in makers for table in project.tables_holding.get(name, ())}


def message(project: Project, binding: Binding, file: FileFacts, bound: Bound,
            evidence: str) -> str:
    attr = ".".join(binding.target.split(".")[-2:])
    setup = binding.site.scope.rsplit(".", 1)[-1]
    taken = "the current event loop" if bound.type == LOOP else f"`{bound.type}`"
    what = (f"makes `{bound.via.rsplit('.', 1)[-1]}`, whose constructor takes {taken} "
            f"(at {bound.path}:{bound.line})," if bound.via else
            f"keeps {_loop_kept(binding)}" if bound.type == LOOP else
            f"makes `{bound.type}`, which up to Python 3.9 binds to the current event loop "
            f"when made," if takes_loop_before_310(bound) else
            f"makes `{bound.type}`, which binds to the current event loop when made,"
            if bound.type.startswith("asyncio.") else
            f"makes {bound.describe()}, which binds to the current event loop when made,")
    tail = chain(project, None, (file.path, binding.site.line),
                 replace(bound, path="") if bound.via else bound)
    seen = f"; {evidence}" if evidence else ""
    return (f"`{setup}` {what} in `{attr}`: made wherever the object is (at import, in a "
            f"thread, before `asyncio.run`), it holds a loop other than the one that will use "
            f"it{seen}{tail}")


def _loop_kept(binding: Binding) -> str:
    """The call the stored loop comes from, as the code makes it."""
    called = next((v.name for v in binding.values if v.op is Op.LOOP), None)
    if called is None:  # asked for inside the stored expression (a default, an argument)
        return "the current event loop (`get_event_loop()` in the stored expression)"
    if called in kb.POLICY_GET_EVENT_LOOP:
        policy, _, method = called.rpartition(".")
        return f"`{policy}().{method}()`"
    return f"`{called}()`"


def collect(ctx: FileContext) -> Iterator[Candidate]:
    """A sync function makes an asyncio primitive, hands it on (an argument of a call), then
    starts a new loop with ``asyncio.run``: up to Python 3.9 the primitive took the thread's
    current loop when it was made, not the one ``asyncio.run`` makes and runs its users on.
    An ``asyncio.run`` kept to Python 3.10 and later (``if sys.version_info >= (3, 10):``) is
    no such loop: there a primitive binds to the loop that first waits on it."""
    runs: dict[int, int] = {}
    for call_at in ctx.calls:
        if call_at.scope.kind == "function" and not call_at.scope.is_async \
                and ctx.callee(call_at.node, call_at.scope) in kb.ASYNCIO_RUN \
                and not ctx.only_from_python(call_at.node, call_at.scope,
                                                kb.PRIMITIVES_BIND_ON_FIRST_USE):
            key = id(call_at.scope)
            runs[key] = min(runs.get(key, call_at.node.lineno), call_at.node.lineno)
    for scope in ctx.functions():
        if id(scope) not in runs:
            continue
        passed = _passed_names(ctx, scope)
        for name in sorted(passed & set(scope.assigns)):
            for call in ctx.assigned_calls(name, scope):
                made = ctx.callee(call, scope)
                if made in kb.ASYNCIO_PRIMITIVES and call.lineno < runs[id(scope)] \
                        and not any(k.arg in kb.LOOP_KEYWORDS for k in call.keywords):
                    yield RULE.candidate(ctx.site(call, scope), _new_loop_message(
                        scope, name, made, runs[id(scope)]), kb.PRIMITIVES_BIND_ON_FIRST_USE)
    yield from _served_on_a_new_loop(ctx)


def _served_on_a_new_loop(ctx: FileContext) -> Iterator[Candidate]:
    """Sync code uses a loop (runs or schedules a coroutine on it, makes a future of it, or
    hands it to a call) and then serves its app with aiohttp's ``web.run_app`` without
    ``loop=``: since aiohttp 3.8 that makes a new loop, so what the first loop made or
    scheduled is bound to a loop that no longer runs ("attached to a different loop", tasks
    that never run)."""
    for call_at in ctx.calls:
        scope = call_at.scope
        if scope.kind not in ("module", "function") or scope.is_async \
                or ctx.callee(call_at.node, scope) not in kb.NEW_LOOP_SERVERS:
            continue
        line = call_at.node.lineno
        scopes = _sync_chain(scope)
        if _may_pass_loop(call_at.node, scopes):
            continue
        ids = {id(s) for s in scopes}
        uses = [(c.node.lineno, what) for c in ctx.calls
                if id(c.scope) in ids and c.node.lineno < line
                and (what := _loop_use(ctx, c.node, c.scope))
                and not _other_branch(scopes[-1].node, c.node, call_at.node)]
        if uses:
            first_line, what = min(uses, key=lambda use: use[0])
            yield RULE.candidate(ctx.site(call_at.node, scope), (
                f"`web.run_app` without `loop=` serves the app on a new event loop (aiohttp "
                f"3.8+), not on the loop this code used first ({what} at line "
                f"{first_line}): what that loop made or scheduled is bound to a loop "
                f"that no longer runs (\"attached to a different loop\"); pass `loop=` or "
                f"start it inside the app (`on_startup`, `cleanup_ctx`)"))


def _may_pass_loop(call: ast.Call, scopes: list[Scope]) -> bool:
    """``loop=`` given, or keywords built here (``run_app(**options)``, where ``options``
    may have been given the loop); the caller's own ``**kwargs`` passed on are the
    caller's choice, not evidence."""
    passed_on = {kwarg.arg for scope in scopes
                 if (kwarg := getattr(getattr(scope.node, "args", None), "kwarg", None))}
    return any(k.arg in kb.LOOP_KEYWORDS or (k.arg is None and not (
        isinstance(k.value, ast.Name) and k.value.id in passed_on)) for k in call.keywords)


def _sync_chain(scope: Scope) -> list[Scope]:
    """The scope and the sync functions it is nested in (a module only as itself)."""
    chain = [scope]
    while scope.is_function and scope.parent is not None and scope.parent.is_function \
            and not scope.parent.is_async:
        scope = scope.parent
        chain.append(scope)
    return chain


def _loop_use(ctx: FileContext, call: ast.Call, scope: Scope) -> str:
    """What a call does with a loop: ``loop.run_until_complete(...)``,
    ``asyncio.ensure_future(...)`` (the thread's loop), or the loop handed to a call."""
    method = method_name(call)
    if method in kb.LOOP_WORK and ctx.is_loop_expr(call.func.value, scope):
        return f"`{method}`"
    callee = ctx.callee(call, scope) or ""
    if callee in kb.ENSURE_FUTURE:
        return "`ensure_future`"
    if callee in kb.SET_EVENT_LOOP or callee in kb.NEW_LOOP_SERVERS:
        return ""
    args = [*call.args, *(k.value for k in call.keywords)]
    if any(isinstance(a, (ast.Name, ast.Attribute)) and ctx.is_loop_expr(a, scope)
           for a in args):
        return f"the loop handed to `{callee.rsplit('.', 1)[-1] or method}`"
    return ""


def _other_branch(root: ast.AST, use: ast.AST, serve: ast.AST) -> bool:
    """The loop's use and the serving call sit in different branches of one ``if``."""
    for node in ast.walk(root):
        if isinstance(node, ast.If):
            body = {id(n) for stmt in node.body for n in ast.walk(stmt)}
            orelse = {id(n) for stmt in node.orelse for n in ast.walk(stmt)}
            if (id(use) in body and id(serve) in orelse) \
                    or (id(use) in orelse and id(serve) in body):
                return True
    return False


def _passed_names(ctx: FileContext, scope: Scope) -> set[str]:
    """Local names a function passes as arguments of the calls it makes itself."""
    return {arg.id for call_at in ctx.calls if call_at.scope is scope
            for arg in (*call_at.node.args, *(k.value for k in call_at.node.keywords))
            if isinstance(arg, ast.Name)}


def _new_loop_message(scope: Scope, name: str, made: str, run_line: int) -> str:
    function = scope.qualname.rsplit(".", 1)[-1]
    return (f"`{function}` makes `{made}` in `{name}` outside any loop and then starts a new "
            f"one with `asyncio.run` (line {run_line}): up to Python 3.9 it binds to that "
            f"thread's current event loop when made, and the coroutines the new loop runs "
            f"get \"attached to a different loop\"")


RULE = Rule(
    code="LD303",
    name="loop-taken-in-constructor",
    summary="__init__ or a validator stores the current event loop, or makes an object that "
            "binds to it when made (grpc.aio channels, aiohttp sessions), in a class made "
            "outside a running loop; up to Python 3.9, a sync function makes an asyncio "
            "primitive and hands it to the coroutines of the asyncio.run it then starts, or a "
            "constructor makes one for an object that runs a new loop of its own or is made "
            "just before one; sync "
            "code uses a loop, then serves with aiohttp's run_app (a new loop since 3.8).",
    needs=(("get_event_loop", "grpc", "aiohttp", "AsyncClient", "xai_sdk",
            *kb.TAKE_LOOP_TOKENS),),
    collect=collect,
    check=check,
    exports=lambda project: project.loop_bound_classes() | set(project.loop_taking_classes)
    | _sync_makers(project),
    doc="""\
## Why
Most async clients bind to a loop when they are first *used*; some take the current event
loop when they are *made*: `grpc.aio` channels (and Google's generated `*AsyncClient`
classes, or `xai_sdk.AsyncClient`, built on them), `aiohttp.ClientSession`, aiokafka's and
confluent-kafka's asyncio producers, pika's `AsyncioConnection`, Telethon's client,
`asyncio.Future()`, and of course `asyncio.get_event_loop()` itself. So does any class of
this project whose constructor makes one of these: making it takes the loop too. `__init__`
and pydantic validators run wherever the object is made: at import time, in sync setup
code before `asyncio.run` creates the loop that will use it, in a worker thread. The object
then holds the thread's default loop (or raises in a thread that has none, and on Python
3.14 anywhere without a running loop), and the first call from the real loop fails with
"attached to a different loop", or hangs. Reported when this project shows the object is
made outside a running loop (at import, in sync code) or drives the loop it kept
(`run_until_complete`). A sync function counts as made outside a loop only where its callers
can be seen (any call, one that passes nothing too: `self._connect()`): a factory method
nothing here is seen to call (reached through an object whose type the scan does not follow,
`config.create()`, as often from the coroutine that uses the client; or called only as an
override of the method a base-typed object names: `config: BaseConfig`, `config.create()`)
is no evidence, nor is one only coroutines call: through sync helpers, or through a
table of callables (`SETUPS = {"a": a.setup}`) whose readers are coroutines. Without evidence
the same shape is LD304, a preview rule, and
so are, for now, the loop taken through a project class, Kafka, pika, Telethon or
`asyncio.Future`, and evidence found only in the constructor of another object (on a real
agent framework those were all false: sync helpers that run on its loop). A
`get_event_loop()` inside `try ... except RuntimeError` with a fallback, an object made
under `if <a loop is running>`, made lazily inside the loop that uses it, handed the
owner's loop (`loop=self._loop`), or a loop the constructor has just made and set
(`set_event_loop(new_event_loop())` before `get_event_loop()`, in the same block) is fine,
and so is a kept loop that no code of the project reads. A loop the caller may give
(`loop or get_event_loop()`, or `self._loop = loop` in one branch and `get_event_loop()` in
the other) is seen made outside a loop only where a maker gives none.
Also here, while the code still runs on Python 3.9 or older (the target version): a sync
function that makes an asyncio primitive, hands it on (an argument of a call) and then
starts a new loop with `asyncio.run`. Up to 3.9 the primitive took the thread's current loop
when made, not the one `asyncio.run` makes and runs its users on; an `asyncio.run` kept to
Python 3.10+ by `if sys.version_info >= (3, 10):` is fine. So is a constructor that makes
an asyncio primitive (without `loop=`) for an object that runs a new loop of its own (a
thread whose `run()` is `asyncio.run(...)`, or a `new_event_loop()` it keeps and runs with
`run_until_complete`): wherever the object is made, the loop current in its constructor is
never the one its own loop runs the waiters on; one that sets its new loop as the current
one first is fine. The same for an object a sync function makes and then runs a new loop
itself (`asyncio.run(Peripheral().run())`): that function runs outside any loop, and the loop
it starts is not the one the primitive took. A primitive a coroutine of the class makes again
(`self.event = asyncio.Event()` in `start`) is left to LD304. And sync code (a function, a
script's `__main__` block) that uses a loop (runs a coroutine on it with
`run_until_complete`, schedules a task, makes a future, hands the loop to a call) and then
serves its app with aiohttp's `web.run_app` without `loop=`: since aiohttp 3.8 `run_app`
makes a new loop, as `asyncio.run` does, so the pool the setup made, the task it scheduled,
the object it gave the loop to are on a loop that no longer runs. `run_app(app, loop=loop)`
(or keywords built here, `run_app(**options)`, which may hold it), setup inside the app
(`on_startup`, `cleanup_ctx`), or a loop used only in the other branch of an `if` is fine.

## Bad
```python
class Provider:
    def __init__(self, api_key: str):
        self._client = xai_sdk.AsyncClient(api_key=api_key)  # a grpc.aio channel, now
        self._loop = asyncio.get_event_loop()
```

## Good
```python
class Provider:
    def __init__(self, api_key: str):
        self._api_key = api_key
        self._clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @property
    def client(self) -> xai_sdk.AsyncClient:  # made inside the loop that uses it
        loop = asyncio.get_running_loop()
        if loop not in self._clients:
            self._clients[loop] = xai_sdk.AsyncClient(api_key=self._api_key)
        return self._clients[loop]
```

## Fix
Make the client lazily, inside the loop that uses it (per loop), and take the running loop
with `asyncio.get_running_loop()` where it is needed rather than keeping one.
""",
)
