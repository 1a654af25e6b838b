# Clients made lazily and kept on an object: a singleton (by metaclass, or a module-level
# negative for: LD201, LD203
# instance a second loop reaches) keeps one for every loop; a slot recreated only when the
# client is closed (a closed loop does not close the client), or when it or its loop is
# closed (two loops open at once still share it), is LD203, a preview rule, whether the
# write sits under the test or after an early return of the open one. A slot
# that compares the loop it was made on with the running one, one the object's own shutdown
# closes and resets, and a lazy attribute of an ordinary object stay silent (LD204, a preview
# rule, reports the last when a loop this project's sync code starts reaches the object; the
# loop this file starts reaches only the settings). A write that a test of the slot does
# not govern (it closes a closed session, then makes a new one on every call) is no
# get-or-create.
import asyncio

import aiohttp
import httpx


class Singleton(type):
    _instances: dict = {}

    def __call__(cls, *args, **kwargs):
        if cls not in cls._instances:
            cls._instances[cls] = super().__call__(*args, **kwargs)
        return cls._instances[cls]


class GraphQLClient(metaclass=Singleton):
    def __init__(self):
        self._async_client = None

    async def _get_async_client(self) -> httpx.AsyncClient:
        if self._async_client is None or self._async_client.is_closed:
            self._async_client = httpx.AsyncClient(http2=True)  # error: LD201 "GraphQLClient._async_client" "singleton"
        return self._async_client


class ApiClient:
    def __init__(self):
        self._session: aiohttp.ClientSession | None = None

    async def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()  # error: LD203 "ApiClient._session" "closed"
        return self._session


class LoopCheckingClient:
    def __init__(self):
        self._session: aiohttp.ClientSession | None = None

    async def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed or self._session._loop.is_closed():
            self._session = aiohttp.ClientSession()  # error: LD203 "LoopCheckingClient._session" "its loop is closed" "open at the same time"
        return self._session


class ReturningClient:
    def __init__(self):
        self._session: aiohttp.ClientSession | None = None

    async def _get_session(self) -> aiohttp.ClientSession:
        if self._session is not None and not self._session.closed:
            return self._session
        self._session = aiohttp.ClientSession()  # error: LD203 "ReturningClient._session" "closed"
        return self._session


class ConnectorClient:
    def __init__(self):
        self._session: aiohttp.ClientSession | None = None

    async def set_connector(self, connector: aiohttp.BaseConnector) -> None:
        if self._session is not None and self._session.closed:
            await self._session.close()
        self._session = aiohttp.ClientSession(connector=connector)


class TTSService:
    def __init__(self):
        self._session: aiohttp.ClientSession | None = None

    async def start(self):
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()

    async def stop(self):
        await self._session.close()
        self._session = None


class PerLoopClient:
    def __init__(self):
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = httpx.AsyncClient()
            self._loop = loop
        return self._client


class Request:
    def __init__(self, url: str):
        self.url = url
        self._http: httpx.AsyncClient | None = None

    async def send(self) -> httpx.Response:
        if self._http is None:
            self._http = httpx.AsyncClient()
        return await self._http.get(self.url)


class Settings:
    def __init__(self):
        self._http: httpx.AsyncClient | None = None

    async def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient()  # error: LD201 "Settings._http" "settings"
        return self._http


settings = Settings()  # error: LD301 "Settings" "httpx.AsyncClient"


async def _fetch(url: str) -> str:
    return (await (await settings.http()).get(url)).text


def fetch_sync(url: str) -> str:
    return asyncio.run(_fetch(url))  # error: LD103 "fetch_sync" "Settings._http"
