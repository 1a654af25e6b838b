# LD202: lru_cache/cache factories that return loop-bound clients.
# negative for: LD202
import functools
from functools import cache, lru_cache
from typing import TypedDict

import httpx
from openai import AsyncOpenAI, OpenAI


@lru_cache
def get_http() -> httpx.AsyncClient:  # error: LD202 "@lru_cache" "get_http"
    return httpx.AsyncClient(timeout=30)


@functools.lru_cache(maxsize=None)
def get_llm(base_url: str):  # error: LD202 "@lru_cache" "get_llm"
    client = AsyncOpenAI(base_url=base_url)
    return client


@cache
def get_sync_llm() -> OpenAI:  # a sync client in a cache is fine
    return OpenAI()


@lru_cache
def get_sync_http():
    return httpx.Client()


@lru_cache
def per_loop_client(loop) -> AsyncOpenAI:  # keyed by the loop object: silent
    return AsyncOpenAI()


class Api:
    def __init__(self) -> None:
        self.http = httpx.AsyncClient()


class Service:
    api: Api


class Replica(TypedDict, total=False):
    url: str
    client: Service  # a holder of a holder of a client, only ever annotated


@lru_cache(maxsize=1)
def parse_replicas(spec: str) -> list[Replica]:
    return [Replica(url=url) for url in spec.split(",")]
