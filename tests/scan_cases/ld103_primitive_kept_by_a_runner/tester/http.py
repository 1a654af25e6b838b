# A rate-limited client makes its semaphore in the constructor; the runner that holds it is
# made once and handed to `run_group`, which starts a new loop per call: the first loop's
# contended waits bind the semaphore, the second loop's fail ("bound to a different event
# loop").
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
