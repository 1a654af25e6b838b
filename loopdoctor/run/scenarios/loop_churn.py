"""Many short-lived loops: a long-running gateway bridges 30 tool calls. Shows what leaks."""

from loopdoctor.run.scenario import Context, Scenario, sync_tool

TOOL_CALLS = 30


async def gateway(ctx: Context) -> None:
    for n in range(TOOL_CALLS):
        sync_tool(ctx, f"churn tool {n}")


def body(ctx: Context) -> None:
    ctx.run(gateway(ctx))


scenario = Scenario(
    name="loop-churn",
    summary=f"one outer loop makes {TOOL_CALLS} bridge calls, each on a new, short-lived loop",
    requests=TOOL_CALLS,
    body=body,
)
