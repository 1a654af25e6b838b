"""Two threads with a loop each, released together, each keeping the client it asked for."""

from loopdoctor.scenario import Context, Scenario
from loopdoctor.scenarios.concurrent_loops import REQUESTS_EACH, THREADS, run_threads


async def worker(ctx: Context, thread: int) -> None:
    async with ctx.client() as client:
        for n in range(REQUESTS_EACH):
            await ctx.ask(client, f"thread {thread} request {n}")


def body(ctx: Context) -> None:
    run_threads(ctx, worker)


scenario = Scenario(
    name="concurrent-held",
    summary=f"{THREADS} threads, a loop each, started on a barrier, one client each, kept",
    requests=THREADS * REQUESTS_EACH,
    body=body,
    pool_limit=1,
)
