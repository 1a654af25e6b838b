"""Loops in threads for the guard tests: racing threads, threads in a pool, a contended lock."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any


def race(call: Callable[[], Coroutine[Any, Any, Any]], threads: int = 2) -> None:
    """``asyncio.run(call())`` in ``threads`` threads started on a barrier; a thread still
    running after 5 s fails the test, and the first error is raised here."""
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def worker() -> None:
        barrier.wait()
        try:
            asyncio.run(call())
        except BaseException as exc:  # handed to the main thread
            errors.append(exc)

    racers = [threading.Thread(target=worker, name=f"racer-{n}", daemon=True)
              for n in range(1, threads + 1)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=5)
    assert not any(racer.is_alive() for racer in racers), "a racer hung"
    if errors:
        raise errors[0]


def in_threads(fn: Callable[[], object], count: int = 2) -> None:
    """``fn()`` in ``count`` pool threads at once; each must finish within 10 s."""
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        for future in [pool.submit(fn) for _ in range(count)]:
            future.result(timeout=10)


async def contend(lock: asyncio.Lock) -> None:
    """Two tasks take ``lock`` in turn: the second must wait, so asyncio binds it to the loop."""

    async def hold() -> None:
        async with lock:
            await asyncio.sleep(0.001)

    await asyncio.gather(hold(), hold())
