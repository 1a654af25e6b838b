"""CLI mode: every command is its own ``asyncio.run`` in the main thread."""

from loopdoctor.run.scenario import Context, Scenario

COMMANDS = 3


async def command(ctx: Context, n: int) -> None:
    async with ctx.client() as client:
        await ctx.ask(client, f"cli command {n}")


def body(ctx: Context) -> None:
    for n in range(COMMANDS):
        ctx.run(command(ctx, n))


scenario = Scenario(
    name="cli-sequential",
    summary=f"{COMMANDS} asyncio.run calls in the main thread, each getting a client",
    requests=COMMANDS,
    body=body,
)
