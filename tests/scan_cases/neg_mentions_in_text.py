"""Mentions in docstrings, strings and comments are not code.

    client = AsyncOpenAI()
    pool.submit(asyncio.run, ask(client))
"""
# negative for: LD101, LD201, LD202, LD301, LD401, LD501, LD502

# client = AsyncOpenAI()  -- a comment
# asyncio.run(main()) inside async def handler(): ...
EXAMPLE = "asyncio.run(coro) in a worker thread; id(loop) as a key; lru_cache AsyncOpenAI()"
TEMPLATE = """
@lru_cache
def get_client():
    return AsyncOpenAI()
"""


def explain() -> str:
    """Call ``asyncio.run_coroutine_threadsafe(coro, asyncio.get_running_loop()).result()``."""
    return EXAMPLE + TEMPLATE
