# A lock the constructor makes, on an object handed to a new loop per call: a Lock binds to a
# loop only when two of its tasks contend, which one call's single refresh does not.
import asyncio

import httpx


class TokenCache:
    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self.token = ""

    async def refresh(self, url: str) -> str:
        async with self._lock:
            async with httpx.AsyncClient() as client:
                self.token = (await client.post(url)).text
        return self.token


def refresh_sync(cache: TokenCache, url: str) -> str:
    return asyncio.run(cache.refresh(url))


def refresh_twice(url: str) -> str:
    cache = TokenCache()
    refresh_sync(cache, url)
    return refresh_sync(cache, url)
