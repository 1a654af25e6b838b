# A sync function makes asyncio primitives, hands them to the code that builds its coroutines,
# then runs them with asyncio.run: up to Python 3.9 a primitive takes the thread's current loop
# when made, and asyncio.run makes another one ("attached to a different loop"). Safe forms
# stay silent: primitives made inside the coroutine asyncio.run runs, primitives made after the
# loop has finished, one made and never handed on, one given its loop explicitly, and an
# asyncio.run kept to Python 3.10+ by a version check (the older branch runs the thread's loop).
# negative for: LD302, LD304
from __future__ import annotations

import asyncio
import sys


async def worker(queue: asyncio.Queue, limit: asyncio.Semaphore) -> None:
    async with limit:
        await queue.put(1)


async def drain(queue: asyncio.Queue) -> int:
    return await queue.get()


async def run_all(queue: asyncio.Queue, limit: asyncio.Semaphore) -> int:
    await worker(queue, limit)
    return await drain(queue)


def main() -> int:
    limit = asyncio.Semaphore(4)  # error: LD303 "main" "asyncio.Semaphore" "limit" "asyncio.run"
    queue: asyncio.Queue[int] = asyncio.Queue()  # error: LD303 "main" "asyncio.Queue" "queue"
    return asyncio.run(run_all(queue, limit))


async def run_inside() -> int:
    queue: asyncio.Queue[int] = asyncio.Queue()
    limit = asyncio.Semaphore(4)
    return await run_all(queue, limit)


def main_made_inside() -> int:
    return asyncio.run(run_inside())


def main_then_cleanup() -> None:
    asyncio.run(run_inside())
    done = asyncio.Event()
    print(done)


def main_unused() -> int:
    stop = asyncio.Event()
    del stop
    return asyncio.run(run_inside())


def main_with_its_loop() -> int:
    loop = asyncio.new_event_loop()
    queue: asyncio.Queue[int] = asyncio.Queue(loop=loop)  # Python < 3.10 only
    limit = asyncio.Semaphore(4, loop=loop)
    return loop.run_until_complete(run_all(queue, limit))


def main_version_gated() -> int:
    # asyncio.run only where primitives bind on first use; before 3.10, the loop they took
    queue: asyncio.Queue[int] = asyncio.Queue()
    limit = asyncio.Semaphore(4)
    if sys.version_info >= (3, 10):
        return asyncio.run(run_all(queue, limit))
    return asyncio.get_event_loop().run_until_complete(run_all(queue, limit))


def main_gated_the_other_way() -> int:
    queue: asyncio.Queue[int] = asyncio.Queue()
    if sys.version_info < (3, 10):
        return asyncio.get_event_loop().run_until_complete(drain(queue))
    else:
        return asyncio.run(drain(queue))


def main_gated_too_early() -> int:
    queue: asyncio.Queue[int] = asyncio.Queue()  # error: LD303 "main_gated_too_early" "queue"
    if sys.version_info >= (3, 8):
        return asyncio.run(drain(queue))
    return asyncio.get_event_loop().run_until_complete(drain(queue))
