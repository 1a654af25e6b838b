# negative for: LD201
# The safe forms of ld201_kept_by_framework.py: the layer keeps its pools per running loop
# (keyed by the loop object) and the filesystem makes its client per call and closes it.
import asyncio
import weakref

import aioredis
import redis.asyncio as aioredis2
from channels.layers import BaseChannelLayer
from fsspec.asyn import AsyncFileSystem


class RedisLayer(BaseChannelLayer):
    def __init__(self, hosts):
        self.hosts = hosts
        self.pools = weakref.WeakKeyDictionary()

    async def connection(self, index):
        per_loop = self.pools.setdefault(asyncio.get_running_loop(), {})
        if index not in per_loop:
            per_loop[index] = await aioredis.create_redis_pool(**self.hosts[index])
        return per_loop[index]


class CacheFileSystem(AsyncFileSystem):
    def __init__(self, url, **kwargs):
        super().__init__(**kwargs)
        self.url = url

    async def _cat_file(self, path, **kwargs):
        async with aioredis2.from_url(self.url) as client:
            return await client.get(path)
