"""Gateway mode with the loop kept free: sync tools run in the loop's default executor."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from loopdoctor.run.scenario import Context, Scenario, sync_tool

TOOL_CALLS = 2


async def gateway(ctx: Context) -> None:
    async with ctx.client() as client:
        await ctx.ask(client, "gateway turn")
    loop = asyncio.get_running_loop()
    # One worker: every tool call reuses the same thread, as a busy gateway's pool does (with
    # more, whether a call lands on a fresh thread would be a matter of timing).
    loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
    for n in range(TOOL_CALLS):
        await loop.run_in_executor(None, sync_tool, ctx, f"executor tool {n}")


def body(ctx: Context) -> None:
    ctx.run(gateway(ctx))


scenario = Scenario(
    name="gateway-executor",
    summary="the running loop awaits run_in_executor(None, tool) twice, on one worker thread; "
            "the tool bridges",
    requests=1 + TOOL_CALLS,
    body=body,
)
