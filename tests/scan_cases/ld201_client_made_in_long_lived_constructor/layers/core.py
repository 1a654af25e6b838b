# A channel layer is kept by channels for the whole process (one per alias), and every
# async_to_sync call runs on a new loop: pools its constructor makes once (here a list a
# helper fills) are the first loop's for every later one. Safe forms stay silent: the fixed
# layer keeps the loop beside its pools and makes them again when the running loop differs,
# and an ordinary object made per use that makes its own client.
import asyncio

from channels.layers import BaseChannelLayer
from redis import asyncio as aioredis


class RedisChannelLayer(BaseChannelLayer):
    def __init__(self, hosts: list[str]) -> None:
        self.hosts = hosts
        self.pools = self.create_pools()  # error: LD201 "RedisChannelLayer.pools" "__init__" "channel layer" "ConnectionPool"

    def create_pools(self) -> list:
        pools = []
        for host in self.hosts:
            pools.append(aioredis.ConnectionPool.from_url(host))
        return pools

    def connection(self, index: int) -> aioredis.Redis:
        return aioredis.Redis(connection_pool=self.pools[index])

    async def send(self, channel: str, message: bytes) -> None:
        await self.connection(0).rpush(channel, message)


class LoopAwareChannelLayer(BaseChannelLayer):
    def __init__(self, hosts: list[str]) -> None:
        self.hosts = hosts
        self.pools: dict[int, aioredis.ConnectionPool] = {}
        self.pools_loop: asyncio.AbstractEventLoop | None = None

    def connection(self, index: int) -> aioredis.Redis:
        loop = asyncio.get_running_loop()
        if self.pools_loop is not loop:
            self.pools = {}
            self.pools_loop = loop
        if index not in self.pools:
            self.pools[index] = aioredis.ConnectionPool.from_url(self.hosts[index])
        return aioredis.Redis(connection_pool=self.pools[index])

    async def send(self, channel: str, message: bytes) -> None:
        await self.connection(0).rpush(channel, message)


class Publisher:
    def __init__(self, url: str) -> None:
        self.redis = aioredis.Redis.from_url(url)

    async def publish(self, channel: str, message: bytes) -> None:
        await self.redis.publish(channel, message)


async def announce(url: str, message: bytes) -> None:
    publisher = Publisher(url)
    await publisher.publish("news", message)
    await publisher.redis.aclose()
