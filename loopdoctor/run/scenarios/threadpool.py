"""Worker threads, each running ``asyncio.run`` over its requests."""

from concurrent.futures import ThreadPoolExecutor

from loopdoctor.run.scenario import OVERLAP, Context, Scenario

WORKERS = 4
JOBS = 8


async def job(ctx: Context, n: int) -> None:
    async with ctx.client() as client:
        await ctx.ask(client, f"pool job {n}", latency=OVERLAP if n < WORKERS else None)


def body(ctx: Context) -> None:
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(lambda n: ctx.run(job(ctx, n)), range(JOBS)))


scenario = Scenario(
    name="threadpool",
    summary=f"ThreadPoolExecutor({WORKERS}) runs {JOBS} jobs, each its own asyncio.run",
    requests=JOBS,
    body=body,
    pool_limit=1,
)
