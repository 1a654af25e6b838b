"""Gateway mode: a sync tool, called from inside the running loop, bridges to async."""

from loopdoctor.run.scenario import Context, Scenario, sync_tool

TOOL_CALLS = 2


async def gateway(ctx: Context) -> None:
    async with ctx.client() as client:
        await ctx.ask(client, "gateway turn")
    for n in range(TOOL_CALLS):
        sync_tool(ctx, f"bridged tool {n}")  # blocks the running loop until the bridge returns


def body(ctx: Context) -> None:
    ctx.run(gateway(ctx))


scenario = Scenario(
    name="gateway-bridge",
    summary="a running loop makes a request, then sync tools run asyncio.run in a worker thread",
    requests=1 + TOOL_CALLS,
    body=body,
)
