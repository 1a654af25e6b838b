"""Gateway mode with two live loops: a request on the outer loop while a tool runs in a thread."""

import asyncio

from loopdoctor.run.scenario import OVERLAP, Context, Scenario, sync_tool


async def gateway(ctx: Context) -> None:
    async with ctx.client() as client:
        await ctx.ask(client, "gateway turn")
        outer = asyncio.create_task(ctx.ask(client, "slow gateway turn", latency=OVERLAP))
        await asyncio.sleep(0.01)  # the outer request is on the wire
        await asyncio.gather(outer, asyncio.to_thread(sync_tool, ctx, "to_thread tool"))


def body(ctx: Context) -> None:
    ctx.run(gateway(ctx))


scenario = Scenario(
    name="gateway-to-thread",
    summary="the outer loop makes a request while asyncio.to_thread(tool) bridges concurrently",
    requests=3,
    body=body,
    pool_limit=1,
)
