# A global slot holding a service object that owns a loop-bound client.
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
