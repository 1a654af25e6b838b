"""What the guard costs asyncio primitives: creation and use, with and without it.

    python benchmarks/bench_guard_primitives.py [--count 200000] [--rounds 7]

Primitives made inside a running loop pay one look at the running loop when made, and one
attribute read per operation that may wake a waiter (``release``, ``set``, ``put_nowait``, ...);
primitives made outside any loop (module level) are checked on every operation. Times are the
process's CPU time per operation, the median of rounds that alternate which mode goes first.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import platform
import statistics
import time
from collections.abc import Awaitable, Callable

from loopdoctor import guard

Case = Callable[[int], Awaitable[None]]


async def create_lock_in_loop(count: int) -> None:
    for _ in range(count):
        asyncio.Lock()


async def create_queue_in_loop(count: int) -> None:
    for _ in range(count):
        asyncio.Queue()


async def lock_made_in_loop(count: int) -> None:
    await _use(asyncio.Lock(), count)


async def queue_made_in_loop(count: int) -> None:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(count):
        queue.put_nowait(n)
        queue.get_nowait()


def lock_made_outside_any_loop() -> Case:
    lock = asyncio.Lock()  # made here, with the guard on or off as the round says

    async def case(count: int) -> None:
        await _use(lock, count)

    return case


async def event_made_in_loop(count: int) -> None:
    event = asyncio.Event()
    for _ in range(count):
        event.set()
        event.clear()


async def contended_lock_made_in_loop(count: int) -> None:
    """Two tasks take turns: every release wakes the other one (asyncio binds the lock)."""
    lock = asyncio.Lock()

    async def take_turns() -> None:
        for _ in range(count // 2):
            async with lock:
                await asyncio.sleep(0)

    await asyncio.gather(take_turns(), take_turns())


async def _use(lock: asyncio.Lock, count: int) -> None:
    for _ in range(count):
        async with lock:
            pass


def nanoseconds_per_op(make_case: Callable[[], Case], count: int) -> float:
    case = make_case()
    started = time.process_time()
    asyncio.run(case(count))
    return (time.process_time() - started) / count * 1e9


CASES: dict[str, Callable[[], Case]] = {
    "asyncio.Lock() in a loop": lambda: create_lock_in_loop,
    "asyncio.Queue() in a loop": lambda: create_queue_in_loop,
    "async with lock (made in the loop)": lambda: lock_made_in_loop,
    "queue put_nowait+get_nowait (made in the loop)": lambda: queue_made_in_loop,
    "event set+clear (made in the loop)": lambda: event_made_in_loop,
    "async with lock, 2 tasks in turn (made in the loop)": lambda: contended_lock_made_in_loop,
    "async with lock (made outside any loop)": lock_made_outside_any_loop,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, CPU time, median of {args.rounds} rounds "
          "(off and on in turn, each round starting with the other)")
    print(f"{'case':52} {'off ns':>8} {'on ns':>8} {'on-off':>8}")
    for name, make_case in CASES.items():
        times: dict[bool, list[float]] = {False: [], True: []}
        for round_ in range(args.rounds):
            for on in (round_ % 2 == 0, round_ % 2 == 1):
                with guard.guarded("raise") if on else contextlib.nullcontext():
                    times[on].append(nanoseconds_per_op(make_case, args.count))
        off_ns, on_ns = statistics.median(times[False]), statistics.median(times[True])
        print(f"{name:52} {off_ns:8.0f} {on_ns:8.0f} {on_ns - off_ns:+8.0f}")


if __name__ == "__main__":
    main()
