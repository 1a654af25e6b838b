"""Two threads, each running its own event loop around one call, released together."""

from __future__ import annotations

import asyncio
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
