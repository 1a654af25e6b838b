"""Two threads with a loop each, released together, asking for a client before every request."""

import threading
from collections.abc import Callable, Coroutine
from typing import Any

from loopdoctor.run.scenario import OVERLAP, Context, Scenario

THREADS = 2
REQUESTS_EACH = 3


Worker = Callable[[Context, int, threading.Barrier], Coroutine[Any, Any, None]]


one_at_a_time = threading.Lock()  # the first client is taken in turn: no creation race


async def worker(ctx: Context, thread: int, start: threading.Barrier) -> None:
    with one_at_a_time:
        async with ctx.client():
            pass
    start.wait()
    for n in range(REQUESTS_EACH):
        async with ctx.client() as client:
            await ctx.ask(client, f"thread {thread} request {n}", latency=first_overlaps(n))


def first_overlaps(n: int) -> float | None:
    """The threads' first requests are slow, so that they are in flight together."""
    return OVERLAP if n == 0 else None


def run_threads(ctx: Context, worker_fn: Worker) -> None:
    """Run ``worker_fn`` on a loop in each of THREADS threads; it waits on ``start`` to race."""
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def thread_main(thread: int) -> None:
        try:
            ctx.run(worker_fn(ctx, thread, start))
        except BaseException as exc:
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
