import asyncio


def run_coroutine(coro):
    """A new loop per call: every sync upload is another loop over the same Api."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)  # error: LD103 "run_coroutine" "ModuleApi._api"
    finally:
        loop.close()
