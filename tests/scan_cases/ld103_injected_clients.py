import asyncio

from redis.asyncio import Redis

_client = None
_sync_client = None
cache = Redis.from_url("redis://localhost")  # error: LD301 "Redis" "cache"


def configure(client):
    global _client
    _client = client


def configure_sync(client):
    global _sync_client
    _sync_client = client


class Service:
    client = None

    @classmethod
    def use(cls, client):
        cls.client = client

    @classmethod
    async def complete(cls, prompt):
        return await cls.client.chat.completions.create(model="m", messages=[])


async def complete(prompt):
    return await _client.chat.completions.create(model="m", messages=[])


def complete_now(prompt):
    return asyncio.run(complete(prompt))  # error: LD103 "module-level client" "_client"


def complete_service(prompt):
    return asyncio.run(Service.complete(prompt))  # error: LD103 "class-level client" "client"


def cached(key):
    return asyncio.run(cache.get(key))  # error: LD103 "cache" "Redis"


async def complete_sync_client(prompt):
    return _sync_client.chat.completions.create(model="m", messages=[])


def complete_with_sync_client(prompt):
    return asyncio.run(complete_sync_client(prompt))


async def own_client(prompt):
    local = Redis.from_url("redis://localhost")
    try:
        return await local.get(prompt)
    finally:
        await local.aclose()


def own_client_now(prompt):
    return asyncio.run(own_client(prompt))
