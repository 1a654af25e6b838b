"""Two threads with a loop each, released together, asking for a client before every request."""

import threading
from collections.abc import Callable, Coroutine
from typing import Any

from loopdoctor.scenario import Context, Scenario

THREADS = 2
REQUESTS_EACH = 3


async def worker(ctx: Context, thread: int) -> None:
    for n in range(REQUESTS_EACH):
        async with ctx.client() as client:
            await ctx.ask(client, f"thread {thread} request {n}")


Worker = Callable[[Context, int], Coroutine[Any, Any, None]]


def run_threads(ctx: Context, worker_fn: Worker) -> None:
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def thread_main(thread: int) -> None:
        barrier.wait()
        try:
            ctx.run(worker_fn(ctx, thread))
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=thread_main, args=(t,), daemon=True) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def body(ctx: Context) -> None:
    run_threads(ctx, worker)


scenario = Scenario(
    name="concurrent-loops",
    summary=f"{THREADS} threads, a loop each, started on a barrier, a client per request",
    requests=THREADS * REQUESTS_EACH,
    body=body,
    pool_limit=1,
)
