# Objects a framework keeps for the whole process: a channel layer (one per alias, used by
# every AsyncToSync loop and by the server's loop) and an fsspec filesystem (instances cached
# by their arguments). A loop-bound client cached or made lazily on them serves every loop.
import asyncio

import aioredis
import redis.asyncio as aioredis2
from channels.layers import BaseChannelLayer
from fsspec.asyn import AsyncFileSystem


class RedisLayer(BaseChannelLayer):
    def __init__(self, hosts):
        self.hosts = hosts
        self.pools = {}

    async def connection(self, index):
        if index not in self.pools:
            self.pools[index] = await aioredis.create_redis_pool(**self.hosts[index])  # error: LD201 "RedisLayer.pools" "channel layer"
        return self.pools[index]


class ShardedLayer(RedisLayer):
    async def send(self, channel, message):
        pool = await self.connection(0)
        await pool.rpush(channel, message)


class CacheFileSystem(AsyncFileSystem):
    def __init__(self, url, **kwargs):
        super().__init__(**kwargs)
        self.url = url
        self._redis = None

    async def _client(self):
        if self._redis is None:
            self._redis = aioredis2.from_url(self.url)  # error: LD201 "CacheFileSystem._redis" "fsspec"
        return self._redis

    async def _cat_file(self, path, **kwargs):
        return await (await self._client()).get(path)


class LoopAwareLayer(BaseChannelLayer):
    # the pools are dropped whenever the running loop is not the one they were made on: each
    # loop gets pools of its own, silent
    def __init__(self, hosts):
        self.hosts = hosts
        self.pools = {}
        self.pools_loop = None

    async def connection(self, index):
        loop = asyncio.get_running_loop()
        if self.pools_loop != loop:
            self.pools = {}
            self.pools_loop = loop
        if index not in self.pools:
            self.pools[index] = await aioredis.create_redis_pool(**self.hosts[index])
        return self.pools[index]


class ClearingLayer(BaseChannelLayer):
    def __init__(self, hosts):
        self.hosts = hosts
        self.pools = {}
        self.pools_loop = None

    async def connection(self, index):
        if self.pools_loop is not asyncio.get_running_loop():
            self.pools.clear()
            self.pools_loop = asyncio.get_running_loop()
        if index not in self.pools:
            self.pools[index] = await aioredis.create_redis_pool(**self.hosts[index])
        return self.pools[index]
