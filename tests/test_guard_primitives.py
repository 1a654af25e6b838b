"""The guard on asyncio Lock/Event/Condition/Semaphore/Queue made outside any loop."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import re
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from racing import contend

from loopdoctor import guard
from loopdoctor.guard import CrossLoopError, binding

pytestmark = pytest.mark.timeout(20, method="thread")
WAIT = 0.5  # how long a waiter that lost its wakeup is given before it counts as hung


# -- each primitive: how one task waits on it and another one lets it go -----------------------

@dataclass
class Primitive:
    """A primitive made with no running loop, a task that must wait on it, one that frees it."""

    name: str
    make: Callable[[], Any]
    wait: Callable[[Any], Awaitable[object]]
    free: Callable[[Any], object]  # what wakes the waiter (maybe a coroutine)
    take: Callable[[Any], Awaitable[object]]  # uncontended first use, so the waiter must wait


async def _acquire_and_release(lock: Any) -> None:
    async with lock:
        pass


async def _take_all(semaphore: Any) -> None:
    await semaphore.acquire()


async def _wait_on_condition(condition: asyncio.Condition) -> None:
    async with condition:
        await condition.wait()


async def _notify(condition: asyncio.Condition) -> None:
    async with condition:
        condition.notify()


async def _acquire(lock: Any) -> None:
    await lock.acquire()


async def _clear(event: asyncio.Event) -> None:
    event.clear()


async def _put_and_get(queue: asyncio.Queue) -> None:  # type: ignore[type-arg]
    queue.put_nowait(0)
    queue.get_nowait()


PRIMITIVES = [
    Primitive("Lock", asyncio.Lock, _acquire_and_release, lambda lock: lock.release(), _acquire),
    Primitive("Event", asyncio.Event, lambda event: event.wait(), lambda event: event.set(),
              _clear),
    Primitive("Semaphore", lambda: asyncio.Semaphore(1), _acquire_and_release,
              lambda sem: sem.release(), _take_all),
    Primitive("BoundedSemaphore", lambda: asyncio.BoundedSemaphore(1), _acquire_and_release,
              lambda sem: sem.release(), _take_all),
    Primitive("Queue", asyncio.Queue, lambda queue: queue.get(), lambda queue: queue.put_nowait(1),
              _put_and_get),
    Primitive("Condition", asyncio.Condition, _wait_on_condition, _notify, _acquire_and_release),
]


@pytest.fixture(params=PRIMITIVES, ids=[p.name for p in PRIMITIVES])
def primitive(request: pytest.FixtureRequest) -> Primitive:
    return request.param


# -- the case that hangs: a waiter on one loop, woken from another loop's thread --------------

@dataclass
class Race:
    results: dict[str, object]
    loops: dict[str, asyncio.AbstractEventLoop]
    hung: list[str]
    seconds: float


def race(primitive: Primitive, made_by_the_waiter: bool = False) -> Race:
    """Loop "freer" takes the primitive first; loop "waiter" waits on it; "freer" frees it.
    The primitive is made outside any loop, or by the waiter inside its own loop."""
    made: list[Any] = [] if made_by_the_waiter else [primitive.make()]
    ready, taken, waiter_done = threading.Event(), threading.Event(), threading.Event()
    results: dict[str, object] = {}
    loops: dict[str, asyncio.AbstractEventLoop] = {}

    async def freer() -> None:
        ready.wait(WAIT)
        await primitive.take(made[0])
        taken.set()
        while not _has_waiters(made[0]) and not waiter_done.is_set():
            await asyncio.sleep(0.005)
        freed = primitive.free(made[0])
        if inspect.isawaitable(freed):
            await freed

    async def waiter() -> str:
        if made_by_the_waiter:
            made.append(primitive.make())
        ready.set()
        taken.wait(WAIT)
        await primitive.wait(made[0])
        return "woken"

    def run(name: str, main: Callable[[], Awaitable[object]]) -> None:
        async def recorded() -> object:
            loops[name] = asyncio.get_running_loop()
            return await main()

        try:
            results[name] = asyncio.run(recorded())
        except BaseException as exc:  # reported to the test
            results[name] = exc
        finally:
            if name == "waiter":
                waiter_done.set()

    threads = {name: threading.Thread(target=run, args=(name, main), name=name, daemon=True)
               for name, main in (("freer", freer), ("waiter", waiter))}
    if not made_by_the_waiter:
        ready.set()
    started = time.monotonic()
    for thread in threads.values():
        thread.start()
    for thread in threads.values():
        thread.join(WAIT)
    hung = [name for name, thread in threads.items() if thread.is_alive()]
    seconds = time.monotonic() - started
    if "waiter" in hung and isinstance(results.get("freer"), CrossLoopError):
        _free_on_its_own_loop(primitive, made[0], loops["waiter"])  # the fix, so it ends
    _nudge(loops, threads)
    return Race(results, loops, hung, seconds)


def _free_on_its_own_loop(primitive: Primitive, shared: Any,
                          loop: asyncio.AbstractEventLoop) -> None:
    async def free() -> None:
        freed = primitive.free(shared)
        if inspect.isawaitable(freed):
            await freed

    asyncio.run_coroutine_threadsafe(free(), loop).result(WAIT)


def _has_waiters(primitive: Any) -> bool:
    waiters = getattr(primitive, "_waiters", None) or getattr(primitive, "_getters", None)
    return bool(waiters)


def _nudge(loops: dict[str, asyncio.AbstractEventLoop],
           threads: dict[str, threading.Thread]) -> None:
    """Wake the loops' selectors: a task whose wakeup was lost then runs, and its thread ends."""
    for name, loop in loops.items():
        if threads[name].is_alive() and not loop.is_closed():
            loop.call_soon_threadsafe(lambda: None)
    for thread in threads.values():
        thread.join(5)


def test_without_the_guard_a_wakeup_from_another_loop_is_lost_and_the_waiter_hangs(
    primitive: Primitive,
) -> None:
    outcome = race(primitive)
    assert outcome.hung == ["waiter"], outcome.results
    assert outcome.results["waiter"] == "woken", "only the nudge woke it: the wakeup was lost"


def test_with_the_guard_the_second_loop_fails_at_once_and_nothing_hangs(
    guard_on: None, primitive: Primitive
) -> None:
    outcome = race(primitive)
    assert outcome.hung == []
    assert isinstance(outcome.results["waiter"], CrossLoopError)
    assert outcome.results["freer"] is None
    assert len(guard.events()) == 1


# -- the same, with the primitive made inside the waiter's loop (asyncio binds it there) --------

def test_without_the_guard_a_wakeup_to_a_primitive_made_in_a_loop_is_lost(
    primitive: Primitive,
) -> None:
    outcome = race(primitive, made_by_the_waiter=True)
    assert outcome.hung == ["waiter"], outcome.results
    assert outcome.results == {"freer": None, "waiter": "woken"}, "woken by the nudge only"


def test_with_the_guard_the_wakeup_from_another_loop_s_thread_fails_at_once(
    guard_on: None, primitive: Primitive
) -> None:
    outcome = race(primitive, made_by_the_waiter=True)
    error = outcome.results["freer"]
    assert isinstance(error, CrossLoopError), outcome.results
    assert outcome.results["waiter"] == "woken"  # freed on its own loop afterwards
    assert str(error).startswith(f"asyncio.{primitive.name} is used from an event loop")
    assert re.search(r"owned by: +loop#\d+ \(thread waiter\), running", str(error))
    assert re.search(r"used from: +loop#\d+ \(thread freer\)", str(error))
    assert len(guard.events()) == 1


def test_when_the_waiter_came_first_the_guard_fails_the_waker_at_once(guard_on: None) -> None:
    event = asyncio.Event()
    waiting, loops = threading.Event(), []

    async def waiter() -> None:
        loops.append(asyncio.get_running_loop())
        waiting.set()
        await event.wait()

    thread = threading.Thread(target=asyncio.run, args=(waiter(),), daemon=True)
    thread.start()
    assert waiting.wait(WAIT)

    async def waker() -> None:
        event.set()

    with pytest.raises(CrossLoopError, match=r"asyncio\.Event is used from an event loop"):
        asyncio.run(waker())  # without the guard: no error, and the waiter never wakes
    loops[0].call_soon_threadsafe(event.set)  # the fix: set it on the loop that owns it
    thread.join(WAIT)
    assert not thread.is_alive()


# -- sequential asyncio.run: asyncio's terse RuntimeError becomes the explained error -----------


def test_without_the_guard_asyncio_only_says_bound_to_a_different_event_loop() -> None:
    lock = asyncio.Lock()
    asyncio.run(contend(lock))
    with pytest.raises(RuntimeError, match="is bound to a different event loop"):
        asyncio.run(contend(lock))


def test_the_message_names_the_primitive_its_creation_site_and_both_loops(
    guard_on: None,
) -> None:
    lock = asyncio.Lock()
    creation_line = sys._getframe().f_lineno - 1
    asyncio.run(contend(lock))
    with pytest.raises(CrossLoopError) as caught:
        asyncio.run(contend(lock))
    message = str(caught.value)
    assert message.startswith("asyncio.Lock is bound to a closed event loop")
    assert f"test_guard_primitives.py:{creation_line} in test_the_message" in message
    assert re.search(r"owned by: +loop#\d+ \(thread MainThread\), closed \(first used there\)",
                     message)
    assert re.search(r"used from: +loop#\d+ \(thread MainThread\)", message)
    assert "created in:  thread MainThread, outside any event loop" in message
    assert "run_coroutine_threadsafe" in message and "not at import time" in message


def test_a_module_level_primitive_is_named_by_its_module_line(
    guard_on: None, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "app_state.py").write_text("import asyncio\n\nLOCK = asyncio.Lock()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "app_state", raising=False)
    lock = importlib.import_module("app_state").LOCK
    asyncio.run(contend(lock))
    with pytest.raises(CrossLoopError, match=r"created at: .*app_state.py:3 in <module>"):
        asyncio.run(contend(lock))


def test_a_running_owner_and_the_other_thread_are_named(guard_on: None) -> None:
    event = asyncio.Event()

    async def gateway() -> None:
        event.clear()
        await asyncio.to_thread(asyncio.run, event.wait())

    with pytest.raises(CrossLoopError, match="does not belong to") as caught:
        asyncio.run(gateway())
    message = str(caught.value)
    assert re.search(r"owned by: +loop#\d+ \(thread MainThread\), running", message)
    assert re.search(r"used from: +loop#\d+ \(thread asyncio_\d+\)", message)


def test_a_subclass_is_named_by_its_asyncio_base(guard_on: None) -> None:
    class JobQueue(asyncio.PriorityQueue):  # type: ignore[type-arg]
        pass

    jobs = JobQueue()
    asyncio.run(jobs.put((1, "a")))
    with pytest.raises(CrossLoopError, match=r"^asyncio.PriorityQueue \(.*JobQueue\) is bound"):
        asyncio.run(jobs.get())


# -- the happy path ------------------------------------------------------------------------

def test_primitives_made_inside_a_loop_are_left_alone(guard_on: None) -> None:
    async def one_loop() -> None:
        lock, queue, event = asyncio.Lock(), asyncio.Queue(), asyncio.Event()
        assert type(lock) is asyncio.Lock and type(queue) is asyncio.Queue
        await contend(lock)
        await asyncio.gather(queue.get(), queue.put(1))
        event.set()
        await event.wait()

    for _ in range(3):
        asyncio.run(one_loop())
    assert guard.events() == [] and binding.bindings() == []


def test_a_module_level_primitive_used_by_one_loop_only_is_fine(guard_on: None) -> None:
    lock, queue = asyncio.Lock(), asyncio.Queue()

    async def main() -> None:
        await contend(lock)
        await asyncio.gather(queue.get(), queue.put(1))
        queue.task_done()
        await queue.join()

    asyncio.run(main())
    assert guard.events() == []


def test_handing_work_to_the_owning_loop_from_another_thread_is_fine(guard_on: None) -> None:
    queue = asyncio.Queue()

    async def consumer() -> object:
        loop = asyncio.get_running_loop()
        producer = threading.Thread(target=lambda: loop.call_soon_threadsafe(queue.put_nowait, 7))
        producer.start()
        item = await asyncio.wait_for(queue.get(), WAIT)
        producer.join()
        return item

    assert asyncio.run(consumer()) == 7
    assert guard.events() == []


def test_warn_mode_logs_and_lets_asyncio_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    lock = None

    with guard.guarded("warn"), caplog.at_level("WARNING", logger="loopdoctor.guard"):
        lock = asyncio.Lock()
        asyncio.run(contend(lock))
        with pytest.raises(RuntimeError, match="bound to a different event loop"):
            asyncio.run(contend(lock))
    assert "asyncio.Lock is bound to a closed event loop" in caplog.text


# -- install / uninstall ---------------------------------------------------------------------

def test_uninstall_restores_the_classes_and_the_primitives_exactly() -> None:
    originals = {cls: cls.__dict__["__init__"] for cls in (asyncio.Lock, asyncio.Queue)}
    with guard.guarded("raise"):
        lock = asyncio.Lock()
        assert type(lock) is not asyncio.Lock and isinstance(lock, asyncio.Lock)
        assert repr(lock).startswith("<asyncio.locks.Lock object")
        asyncio.run(contend(lock))
    assert type(lock) is asyncio.Lock and "_loopdoctor_owner" not in vars(lock)
    assert {cls: cls.__dict__["__init__"] for cls in originals} == originals
    with pytest.raises(RuntimeError, match="bound to a different event loop"):
        asyncio.run(contend(lock))  # unguarded again: asyncio's own answer


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.Barrier is new in 3.11")
def test_a_barrier_shared_by_two_loops_fails_at_once(guard_on: None) -> None:
    barrier = asyncio.Barrier(2)

    async def meet() -> None:
        await asyncio.wait_for(barrier.wait(), WAIT)

    async def both_here() -> None:
        await asyncio.gather(meet(), meet())

    asyncio.run(both_here())
    with pytest.raises(CrossLoopError, match=r"^asyncio\.Barrier is bound to a closed"):
        asyncio.run(both_here())
