"""What the guard costs asyncio primitives: creation and use, with and without it.

    python benchmarks/bench_guard_primitives.py [--count 200000] [--rounds 7]

Primitives made inside a running loop only pay at creation (one look at the running loop);
primitives made outside any loop (module level) are checked on every operation.
"""

from __future__ import annotations

import argparse
import asyncio
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


async def _use(lock: asyncio.Lock, count: int) -> None:
    for _ in range(count):
        async with lock:
            pass


def nanoseconds_per_op(make_case: Callable[[], Case], count: int) -> float:
    case = make_case()
    started = time.perf_counter()
    asyncio.run(case(count))
    return (time.perf_counter() - started) / count * 1e9


CASES: dict[str, Callable[[], Case]] = {
    "asyncio.Lock() in a loop": lambda: create_lock_in_loop,
    "asyncio.Queue() in a loop": lambda: create_queue_in_loop,
    "async with lock (made in the loop)": lambda: lock_made_in_loop,
    "queue put_nowait+get_nowait (made in the loop)": lambda: queue_made_in_loop,
    "async with lock (made outside any loop)": lock_made_outside_any_loop,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, median of {args.rounds} interleaved rounds")
    print(f"{'case':50} {'off ns':>8} {'on ns':>8} {'on-off':>8}")
    for name, make_case in CASES.items():
        off: list[float] = []
        on: list[float] = []
        for _ in range(args.rounds):
            off.append(nanoseconds_per_op(make_case, args.count))
            with guard.guarded("raise"):
                on.append(nanoseconds_per_op(make_case, args.count))
        off_ns, on_ns = statistics.median(off), statistics.median(on)
        print(f"{name:50} {off_ns:8.0f} {on_ns:8.0f} {on_ns - off_ns:+8.0f}")


if __name__ == "__main__":
    main()
