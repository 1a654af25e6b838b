# A worker thread runs coroutines on its own loop, made and set by a get-or-create helper
# because the thread has none: a loop other than the server's, over the same client.
import asyncio
from concurrent.futures import ThreadPoolExecutor

import redis.asyncio as aioredis

cache = aioredis.from_url("redis://127.0.0.1:6379")  # error: LD301 "cache"
pool = ThreadPoolExecutor(4)


def thread_loop():
    try:
        return asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        return loop


async def _warm(key):
    await cache.set(key, "1")


def warm(key):
    thread_loop().run_until_complete(_warm(key))  # error: LD101 "cache"


async def handler(key):
    await cache.get(key)
    await asyncio.get_running_loop().run_in_executor(pool, warm, key)
