# A module-level cache object whose method stores clients in a dict of its own: every
# negative for: LD201
# `set_cache` call with an async client is a loop-unaware cache write. A subclass that
# builds the key from the running loop makes the same calls safe.
import asyncio

import httpx
from openai import AsyncOpenAI, OpenAI


class InMemoryCache:
    def __init__(self):
        self.cache_dict: dict = {}

    def set_cache(self, key, value, **kwargs):
        self.cache_dict[key] = value

    def get_cache(self, key, **kwargs):
        return self.cache_dict.get(key)


class LoopKeyedCache(InMemoryCache):
    def _with_loop(self, key):
        return (key, asyncio.get_running_loop())

    def set_cache(self, key, value, **kwargs):
        key = self._with_loop(key)
        return super().set_cache(key, value, **kwargs)


llm_clients_cache = InMemoryCache()
loop_keyed_cache = LoopKeyedCache()
results_cache = InMemoryCache()


def get_async_client(api_base: str) -> AsyncOpenAI:
    cached = llm_clients_cache.get_cache(api_base)
    if cached:
        return cached
    client = AsyncOpenAI(base_url=api_base)
    llm_clients_cache.set_cache(key=api_base, value=client)  # error: LD201 "llm_clients_cache" "AsyncOpenAI"
    return client


def get_sync_client(api_base: str) -> OpenAI:
    client = OpenAI(base_url=api_base)
    llm_clients_cache.set_cache(key=api_base, value=client)  # a sync client: fine
    return client


def get_http(api_base: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=api_base)
    loop_keyed_cache.set_cache(api_base, client)  # the subclass keys by the running loop
    return client


def remember(answer: str) -> None:
    results_cache.set_cache("last", answer)  # data, not a client
