"""LD204: a loop-bound value made lazily on an instance, never compared with the running loop."""

from __future__ import annotations

from collections.abc import Iterator

from loopdoctor.scan import knowledge as kb
from loopdoctor.scan.chain import loops_reaching_object
from loopdoctor.scan.loops import LoopKind, LoopSite, loop_sites
from loopdoctor.scan.model import Bind, Binding, FileFacts, Finding, Guard, KeyKind, Op
from loopdoctor.scan.own_methods import own_slots_touched
from loopdoctor.scan.project import Project, short_name
from loopdoctor.scan.rules.base import Rule
from loopdoctor.scan.types import LOOP, Bound

_SYNC_LOOPS = frozenset({LoopKind.FRESH, LoopKind.PER_THREAD, LoopKind.THREAD, LoopKind.BRIDGE})


def check(project: Project) -> Iterator[Finding]:
    for target, found in sorted(project.bindings.items()):
        for binding, file in found:
            bound = _lazily_kept(project, target, binding, file)
            if bound is None:
                continue
            started = _loop_started_by_sync_code(project, target, bound)
            if started is None if bound.type != LOOP else (
                    not _running_loop(project, binding) or _kept_for_one_loop(project, binding)
                    or _schedules_nothing(project, binding)
                    or (started is None and _part_of_another_object(project, binding))):
                continue
            yield RULE.finding(file, binding.site, _message(target, bound, started))
    yield from _on_class_defaults(project)


def _lazily_kept(project: Project, target: str, binding: Binding,
                 file: FileFacts) -> Bound | None:
    """What ``if self._x is None: self._x = <loop-bound>`` keeps, when nothing about the
    holder knows loops: no comparison with the running loop, no reset by the object's own
    lifecycle, not already LD201's (a long-lived object) or LD203's (remade when closed)."""
    if binding.kind is not Bind.INSTANCE or binding.lazy is not Guard.MISSING \
            or binding.key is not KeyKind.OTHER or project.in_tests(file) \
            or project.is_script(file) \
            or target in project.functions:  # a property: its setter decides where it goes
        return None
    bound = project.bound(binding.values, file.path) or _primitive(project, binding, file)
    if bound is None or not bound.direct or project.lifecycle_managed(target) \
            or project.long_lived(target.rpartition(".")[0]) is not None \
            or _taken_again(project, target, binding):
        return None
    return bound


def _on_class_defaults(project: Project) -> Iterator[Finding]:
    """``if self._client is None: self._client = ...`` on the instance a class keeps for the
    process (``if cls._default is None: cls._default = cls()``): every loop that asks the class
    for it meets the first loop's client. A ``close()`` that resets the slot does not help (no
    one closes a shared default between loops), nor does wrapping the client in a transport."""
    defaults = _class_defaults(project)
    for target, found in sorted(project.bindings.items()):
        owner = target.rpartition(".")[0]
        if owner not in defaults:
            continue
        for binding, file in found:
            bound = _kept_on_default(project, target, binding, file)
            if bound is not None:
                yield RULE.finding(file, binding.site, (
                    f"`{short_name(target)}` is made lazily on the instance "
                    f"`{short_name(defaults[owner])}` keeps for the whole process: the first loop "
                    f"that uses {bound.describe()} binds it, and every later `asyncio.run` or "
                    f"thread that asks the class for its default meets it"))


def _class_defaults(project: Project) -> dict[str, str]:
    """Classes that keep one instance of themselves on first use, ``cls._default = cls()``
    under ``if cls._default is None``: {class: the attribute that keeps it}."""
    return {project.resolve(value.name): target
            for target, found in project.bindings.items() for binding, file in found
            if binding.kind is Bind.CLASS_SLOT and binding.lazy is Guard.MISSING
            and not project.in_tests(file)
            for value in binding.values
            if value.op is Op.CALL and project.resolve(value.name) == target.rpartition(".")[0]}


def _kept_on_default(project: Project, target: str, binding: Binding,
                     file: FileFacts) -> Bound | None:
    """A loop-bound client kept lazily on that instance that LD201 leaves out: one closed and
    reset by the object's own ``close()``, or wrapped in an object made over a client the
    same function makes."""
    if binding.kind is not Bind.INSTANCE or binding.lazy is not Guard.MISSING \
            or binding.key is not KeyKind.OTHER or target in project.functions:
        return None
    bound = project.bound(binding.values, file.path)
    if bound is None or bound.type == LOOP:
        return None
    if bound.direct:
        return bound if project.lifecycle_managed(target) else None
    return bound if _writer_makes_client(project, binding, file) else None


def _writer_makes_client(project: Project, binding: Binding, file: FileFacts) -> bool:
    """The object kept is made, in the function that fills the slot, over an argument that
    is itself a loop-bound client (``Transport(client)``), not over a per-loop resolver."""
    writer = project.functions.get(binding.site.scope)
    made = {project.resolve(value.name) for value in binding.values if value.op is Op.CALL}
    return writer is not None and any(
        (bound := project.bound(values, file.path)) is not None and bound.direct
        for call in writer[0].calls if project.resolve(call.callee) in made
        for values in (*call.values, *(v for _, v in call.kwvalues)))


def _primitive(project: Project, binding: Binding, file: FileFacts) -> Bound | None:
    """An asyncio primitive: it binds to the loop of its first contended wait, and made
    lazily it is shared by every loop after that one."""
    made = [project.resolve(v.name) for v in binding.values if v.op is Op.CALL]
    return Bound(made[0], path=file.path, line=binding.site.line) \
        if made and made[0] in kb.ASYNCIO_PRIMITIVES else None


def _running_loop(project: Project, binding: Binding) -> bool:
    """The loop kept is the one running the code that asks (``get_running_loop()``, or any
    getter in a coroutine), taken with no fallback: not a loop a sync ``start()`` looks up,
    or makes when none runs, to drive (a scheduler's)."""
    loops = [value for value in binding.values if value.op is Op.LOOP]
    writer = project.functions.get(binding.site.scope)
    return bool(loops) and not any(value.index for value in loops) and (
        (writer is not None and writer[0].is_async)
        or any(value.name in kb.RUNNING_LOOP_PROBES for value in loops))


_CLOCK = frozenset({"time"})  # a loop's clock: the same monotonic clock on every loop


def _schedules_nothing(project: Project, binding: Binding) -> bool:
    """A getter keeps the loop and returns it (``@property loop``), and the object's class
    and its subclasses read it, directly or through the getter, only for its clock
    (``self.loop.time()``) or not at all: nothing is ever scheduled on it, so a closed or
    foreign loop harms nothing."""
    owner, _, attr = binding.target.rpartition(".")
    getter = binding.site.scope.rpartition(".")[2]
    kept = project.functions.get(binding.site.scope)
    if kept is None or kept[0].cls != owner or not any(
            value.op is Op.NAME and project.resolve(value.name) == binding.target
            for value in kept[0].returns):
        return False
    names = {attr, getter}
    classes = {owner, *project.descendants(owner)}
    holders = {f"{cls}.{name}" for cls in classes for name in names}
    used = set()
    for name, (fn, _) in project.functions.items():
        if name == binding.site.scope:
            continue
        for ref in fn.refs:
            resolved = project.resolve(ref)
            for holder in holders:
                if resolved == holder or resolved.startswith(f"{holder}."):
                    used.add(resolved[len(holder) + 1:].partition(".")[0])
    return used <= _CLOCK and "" not in used


def _kept_for_one_loop(project: Project, binding: Binding) -> bool:
    """A loop kept where the object's one loop is known: on entering an ``async with``
    (``__aenter__``: the block's loop), or kept only so that other threads can post to it
    (``call_soon_threadsafe``): the object serves the loop that consumes it."""
    if binding.site.scope.rsplit(".", 1)[-1] == "__aenter__":
        return True
    prefix = f"{binding.target}."
    owner = binding.target.rpartition(".")[0]
    called = {resolved.removeprefix(prefix) for name in project.methods(owner)
              for ref in project.functions[name][0].refs
              if (resolved := project.resolve(ref)).startswith(prefix)}
    return called == {"call_soon_threadsafe"}


def _part_of_another_object(project: Project, binding: Binding) -> bool:
    """The object that keeps the loop is made only by other classes' constructors, as a
    part of them: it meets the loops its owner meets, and no loop this project starts
    reaches it (then it is reported). A kept loop on an object its users make themselves
    (a limiter, a session) is reported wherever it is."""
    owner = binding.target.rpartition(".")[0]
    init = project.functions.get(f"{owner}.__init__")
    makers = [project.functions.get(call.site.scope) if call.site else None
              for call, _ in project.callers.get(init[0].qualname, ())] if init else []
    return bool(makers) and all(maker is not None and maker[0].setup and maker[0].cls
                                and maker[0].cls != owner for maker in makers)


def _taken_again(project: Project, target: str, lazy: Binding) -> bool:
    """Another method writes a loop-bound value to the slot unconditionally (a restart, or
    taking the running loop again once the kept one is closed): the slot is not kept for
    the object's lifetime."""
    return any(binding is not lazy and binding.kind is Bind.INSTANCE and binding.lazy is None
               and binding.site.scope.rsplit(".", 1)[-1] not in kb.SETUP_NAMES
               and project.bound(binding.values, file.path) is not None
               for binding, file in project.bindings.get(target, ()))


def _loop_started_by_sync_code(project: Project, target: str, bound: Bound) -> LoopSite | None:
    """A loop this project starts from sync code other than a program's entry (a sync
    wrapper, a per-thread loop, a worker thread) whose coroutine reaches the slot's object
    (this slot or another of its loop-bound ones), or runs a method of the object that
    touches the slot: the object meets one loop per call. (A lock or semaphore one such
    method takes binds only when contended, which one call's run of it is not.)"""
    reaching = loops_reaching_object(project, target.rpartition(".")[0])
    contended_only = bound.type in kb.ASYNCIO_PRIMITIVES - kb.WAITING_PRIMITIVES
    return next((site for site in reaching if _started_by_sync_code(project, site)), None) \
        or next((site for site in loop_sites(project) if not contended_only
                 and _started_by_sync_code(project, site)
                 and target in own_slots_touched(project, site)), None)


def _started_by_sync_code(project: Project, site: LoopSite) -> bool:
    return site.kind in _SYNC_LOOPS and site.function is not None \
        and not project.program_code(site.function, site.file)


def _message(target: str, bound: Bound, started: LoopSite | None) -> str:
    holder = short_name(target)
    if bound.type == LOOP:
        return (f"`{holder}` keeps the first event loop that asks for it, for the object's "
                f"whole life, and nothing compares it with the running loop: an object kept "
                f"across `asyncio.run` calls or threads schedules its work on a loop that is "
                f"closed or another thread's")
    where = f"{started.file.path}:{started.start.site.line}" if started else ""
    return (f"`{holder}` is made lazily and kept on the object: the first loop that uses "
            f"{bound.describe()} binds it, and nothing compares that loop with the running "
            f"one; this project runs coroutines on loops its sync code starts ({where}, "
            f"{started.kind.value if started else ''}), so its objects can meet several loops")


RULE = Rule(
    code="LD204",
    name="lazy-attribute-kept-across-loops",
    summary="A loop-bound client, asyncio primitive or the event loop itself made "
            "lazily on an instance (only when missing) and never compared with the running "
            "loop, reached by a loop this project's sync code starts, or on the instance a "
            "class keeps for the process.",
    needs=(("self",), ("None", "AttributeError", "hasattr", "getattr"),
           (*kb.LOOP_BOUND_TOKENS, *kb.TAKE_LOOP_TOKENS, "get_running_loop")),
    check=check,
    exports=Project.loop_bound_classes,
    doc="""\
## Why
`if self._client is None: self._client = httpx.AsyncClient()` (or an `asyncio.Lock()`,
`Semaphore()`, or `self._loop = asyncio.get_running_loop()`) makes the object on first use
and keeps it for the life of its holder. The first event loop that uses it binds it. When
the holder outlives that loop (a module-level instance, an object of a library whose sync
functions run each call on a new loop or on the calling thread's loop), the next loop gets
"bound to a different event loop", "Event loop is closed", or a hang. A client or
primitive is reported when a loop this project starts from sync code (a wrapper's
`asyncio.run`, a worker thread's loop) reaches the object (this slot or another loop-bound
one it keeps), or runs a coroutine method of the object, or of the object that holds it in
an attribute, that uses this slot (`asyncio.run(self.start())` in a sync method, directly or
through a helper that runs the coroutine it is given): each call of that code is another
loop over the same object. A kept loop is reported unless it is kept on entering an
`async with` (the block's loop) or only for other threads to post to (`call_soon_threadsafe`), or
the object that keeps it is made only by other classes' constructors, as a part of them (an
app's auth handler's HTTP helper), and no loop this project's sync code starts reaches it:
it meets the loops its owner meets (so a public object whose part keeps the loop, run by its
users under several `asyncio.run`, is not reported). A holder known to outlive loops (a singleton, a
framework-kept object) is LD201's; one remade only when closed is LD203's. Also here: the
instance a class keeps for the process (`if cls._default is None: cls._default = cls()`)
when it makes its client lazily and LD201 leaves it out: the session's own `close()` resets
the slot (nobody closes a shared default between loops), or the client is wrapped in a
transport object the same method makes over it.

## Bad
```python
class Api:
    def __init__(self):
        self._client = None

    async def post(self, url):
        if self._client is None:
            self._client = httpx.AsyncClient()
        return await self._client.post(url)

    def post_sync(self, url):
        return asyncio.run(self.post(url))  # a new loop per call over the kept client
```

## Good
```python
class Api:
    def __init__(self):
        self._client = None
        self._loop = None

    async def post(self, url):
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client, self._loop = httpx.AsyncClient(), loop
        return await self._client.post(url)
```

## Fix
Keep one per loop (compare the stored loop with `asyncio.get_running_loop()` and rebuild,
or key a `WeakKeyDictionary` by the loop), make it per call (`async with`), or take the
running loop where it is needed instead of keeping one.
""",
)
