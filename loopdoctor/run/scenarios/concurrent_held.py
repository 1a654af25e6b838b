"""Two threads with a loop each, released together, each keeping the client it asked for."""

import contextlib
import threading

from loopdoctor.run.scenario import Context, Scenario
from loopdoctor.run.scenarios.concurrent_loops import (
    REQUESTS_EACH,
    THREADS,
    first_overlaps,
    one_at_a_time,
    run_threads,
)


async def worker(ctx: Context, thread: int, start: threading.Barrier) -> None:
    async with contextlib.AsyncExitStack() as held:
        with one_at_a_time:
            client = await held.enter_async_context(ctx.client())
        start.wait()
        for n in range(REQUESTS_EACH):
            await ctx.ask(client, f"thread {thread} request {n}", latency=first_overlaps(n))


def body(ctx: Context) -> None:
    run_threads(ctx, worker)


scenario = Scenario(
    name="concurrent-held",
    summary=f"{THREADS} threads, a loop each, started on a barrier, one client each, kept",
    requests=THREADS * REQUESTS_EACH,
    body=body,
    pool_limit=1,
)
