# A class that keeps one instance of itself for the process (`cls._default = cls()` on first
# use) and whose instance makes its async client lazily: every loop that asks the class for its
# default meets the first loop's client, whether the client is wrapped in a transport object or
# closed and reset by the session's own close() (nobody closes a shared default between loops).
# Safe forms stay silent: a client per running loop on the default, a client made per call, a
# lazily made client on an ordinary object nobody keeps, and a default that makes a sync client.
# negative for: LD201, LD203
from __future__ import annotations

import asyncio
import weakref

import httpx


def make_async_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=10)


class Transport:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def get(self, url: str) -> httpx.Response:
        return await self._client.get(url)

    async def aclose(self) -> None:
        await self._client.aclose()


class Session:
    _default: Session | None = None

    def __init__(self) -> None:
        self._transport: Transport | None = None

    @classmethod
    def default(cls) -> Session:
        if cls._default is None:
            cls._default = cls()
        return cls._default

    def transport(self) -> Transport:
        if self._transport is None:
            client = make_async_client()
            self._transport = Transport(client)  # error: LD204 "Session._transport" "Session._default" "Transport"
        return self._transport


class Registry:
    _instance: Registry | None = None

    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None

    @classmethod
    def instance(cls) -> Registry:
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient()  # error: LD204 "Registry._client" "Registry._instance" "AsyncClient"
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


class PerLoopSession:
    """The default keeps one client per running loop: each loop gets its own."""

    _default: PerLoopSession | None = None

    def __init__(self) -> None:
        self._clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @classmethod
    def default(cls) -> PerLoopSession:
        if cls._default is None:
            cls._default = cls()
        return cls._default

    def client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if loop not in self._clients:
            self._clients[loop] = httpx.AsyncClient()
        return self._clients[loop]


class PerCallSession:
    _default: PerCallSession | None = None

    @classmethod
    def default(cls) -> PerCallSession:
        if cls._default is None:
            cls._default = cls()
        return cls._default

    async def get(self, url: str) -> httpx.Response:
        async with httpx.AsyncClient() as client:
            return await client.get(url)


class SyncSession:
    _default: SyncSession | None = None

    def __init__(self) -> None:
        self._client: httpx.Client | None = None

    @classmethod
    def default(cls) -> SyncSession:
        if cls._default is None:
            cls._default = cls()
        return cls._default

    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client()
        return self._client
