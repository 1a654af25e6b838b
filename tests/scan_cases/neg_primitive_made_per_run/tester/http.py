# negative for: LD103
# The safe form of ld103_primitive_kept_by_a_runner: `run_group` makes the runner (and its
# semaphore) for its own loop, so no semaphore outlives the loop that waits on it. cache.py:
# a lock, which binds only under contention.
import asyncio

import aiohttp


class RateLimitedRequests:
    def __init__(self, rate_limit: int = 20) -> None:
        self._semaphore = asyncio.Semaphore(rate_limit)

    async def request(self, url: str) -> str:
        async with self._semaphore:
            async with aiohttp.ClientSession() as session:
                async with session.get(url) as response:
                    return await response.text()
