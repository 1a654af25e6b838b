import asyncio


def run_sync(coro):
    """Runs a coroutine on a new loop; every call is another loop."""
    return asyncio.run(coro)  # error: LD103 "run_sync" "ChatStore._engine"
