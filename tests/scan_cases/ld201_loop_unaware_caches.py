# LD201: long-lived caches of loop-bound clients whose key ignores the loop.
# negative for: LD201
from typing import ClassVar

import aiohttp
import redis.asyncio as aioredis
from dependency_injector import containers, providers
from openai import AsyncOpenAI

_by_model: dict[str, AsyncOpenAI] = {}
_client: AsyncOpenAI | None = None


def client_for(model: str) -> AsyncOpenAI:
    if model not in _by_model:
        _by_model[model] = AsyncOpenAI()  # error: LD201 "_by_model" "AsyncOpenAI"
    return _by_model[model]


def default_client() -> AsyncOpenAI:
    global _client
    if _client is None:
        _client = AsyncOpenAI()  # error: LD201 "_client" "AsyncOpenAI"
    return _client


class Sessions:
    _session: ClassVar[aiohttp.ClientSession | None] = None

    @classmethod
    def get(cls) -> aiohttp.ClientSession:
        if cls._session is None:
            cls._session = aiohttp.ClientSession()  # error: LD201 "_session" "ClientSession"
        return cls._session


def redis_pool(url: str):
    return _pools.setdefault(url, aioredis.from_url(url))  # error: LD201 "_pools" "from_url"


_pools: dict = {}


class Container(containers.DeclarativeContainer):
    llm = providers.Singleton(AsyncOpenAI, base_url="http://127.0.0.1:8000/v1")  # error: LD201 "llm" "AsyncOpenAI"
