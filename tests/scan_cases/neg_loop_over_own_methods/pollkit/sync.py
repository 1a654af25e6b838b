import asyncio


def run_sync(coro):
    """Runs a coroutine on a new loop; every call is another loop."""
    return asyncio.run(coro)
