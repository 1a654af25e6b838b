# LD201: registries of loop-bound clients keyed by something that never involves the loop
# (a thread id, a provider, a config hash), and caches that keep the loop beside the client
# but only ask whether that loop is closed.
# negative for: LD201
import asyncio
import threading
from collections import OrderedDict

import httpx
from openai import AsyncOpenAI, OpenAI

_per_thread: dict[int, httpx.AsyncClient] = {}
_by_provider: OrderedDict = OrderedDict()
_with_loop: dict = {}
_checked: dict = {}
_sync_clients: dict[str, OpenAI] = {}


def thread_client() -> httpx.AsyncClient:
    ident = threading.get_ident()
    if ident not in _per_thread:
        _per_thread[ident] = httpx.AsyncClient()  # error: LD201 "_per_thread" "AsyncClient"
    return _per_thread[ident]


def provider_client(provider: str, config: dict) -> AsyncOpenAI:
    key = (provider, hash(frozenset(config.items())))
    if key not in _by_provider:
        _by_provider[key] = AsyncOpenAI(base_url=config["url"])  # error: LD201 "_by_provider" "AsyncOpenAI"
    return _by_provider[key]


def client_unless_closed(url: str) -> AsyncOpenAI:
    entry = _with_loop.get(url)
    if entry is not None and not entry[1].is_closed():
        return entry[0]
    client = AsyncOpenAI(base_url=url)
    _with_loop[url] = (client, asyncio.get_running_loop())  # error: LD201 "_with_loop" "AsyncOpenAI" "is_closed"
    return client


def client_of_this_loop(url: str) -> AsyncOpenAI:
    loop = asyncio.get_running_loop()
    entry = _checked.get(url)
    if entry is not None and entry[1] is loop and not loop.is_closed():
        return entry[0]  # the stored loop is compared with the running one: silent
    client = AsyncOpenAI(base_url=url)
    _checked[url] = (client, loop)
    return client


def sync_client(url: str) -> OpenAI:
    if url not in _sync_clients:
        _sync_clients[url] = OpenAI(base_url=url)  # a blocking client: silent
    return _sync_clients[url]


class ClientRegistry:
    def __init__(self):
        self._clients: dict[str, AsyncOpenAI] = {}

    def get(self, provider: str) -> AsyncOpenAI:
        if provider not in self._clients:
            self._clients[provider] = AsyncOpenAI()  # error: LD201 "ClientRegistry._clients" "AsyncOpenAI" "registry"
        return self._clients[provider]


registry = ClientRegistry()


class PerRequest:
    def __init__(self):
        self._clients: dict[str, AsyncOpenAI] = {}

    def get(self, provider: str) -> AsyncOpenAI:
        if provider not in self._clients:
            self._clients[provider] = AsyncOpenAI()  # one object per request: silent
        return self._clients[provider]


async def ask(provider: str, question: str):
    client = registry.get(provider)
    return await client.responses.create(model="m", input=question)


def ask_sync(provider: str, question: str):
    return asyncio.run(ask(provider, question))  # error: LD103 "ask_sync" "ClientRegistry._clients"


async def handle(provider: str):
    return await PerRequest().get(provider).models.list()
