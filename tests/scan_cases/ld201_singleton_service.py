# A global slot holding a service object that owns a loop-bound client, which a loop that
# is not the first one (asyncio.run on every call) reaches. (The same slot in a server that
# runs one loop is neg_server_service_globals.py.)
import asyncio

import redis.asyncio as aioredis


class MetricsService:
    def __init__(self, url: str):
        self.redis = aioredis.from_url(url)

    async def bump(self, key: str) -> None:
        await self.redis.incr(key)


_service: MetricsService | None = None


async def metrics(url: str) -> MetricsService:
    global _service
    if _service is None:
        _service = MetricsService(url)  # error: LD201 "_service" "MetricsService"
    return _service


async def _bump(key: str) -> None:
    await (await metrics("redis://127.0.0.1:6379")).bump(key)


def bump_sync(key: str) -> None:
    asyncio.run(_bump(key))  # error: LD103 "bump_sync" "_service"
