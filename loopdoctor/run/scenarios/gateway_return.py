"""Gateway mode, then back: the outer loop reuses the client it got before the bridge ran."""

from loopdoctor.run.scenario import Context, Scenario, sync_tool


async def gateway(ctx: Context) -> None:
    async with ctx.client() as client:
        await ctx.ask(client, "before the tool")
        sync_tool(ctx, "bridged tool")
        await ctx.ask(client, "after the tool")


def body(ctx: Context) -> None:
    ctx.run(gateway(ctx))


scenario = Scenario(
    name="gateway-return",
    summary="gateway-bridge, then the outer loop uses the client it got before the bridge",
    requests=3,
    body=body,
)
