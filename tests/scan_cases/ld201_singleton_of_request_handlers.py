# negative for: LD201
# A singleton factory keeps the clients it makes lazily. `RegistryClients` is used only by a
# web app's request handlers (through a helper they alone call): the server that runs them
# runs one loop per process, so its client meets one loop. `ReportClients` is also used by a
# sync export that runs a new loop per call: reported, as is a singleton whose client a
# public coroutine of the library uses (any loop of its users may run it).
import asyncio

import httpx
from fastapi import FastAPI


class RegistryClients:
    _instance = None
    _client: httpx.AsyncClient | None = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def client(self, base_url: str) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=base_url)
        return self._client


class ReportClients:
    _instance = None
    _client: httpx.AsyncClient | None = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def client(self, base_url: str) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=base_url)  # error: LD201 "ReportClients._client" "singleton"
        return self._client


class StatusClients:
    _instance = None
    _client: httpx.AsyncClient | None = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def client(self, base_url: str) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=base_url)  # error: LD201 "StatusClients._client" "singleton"
        return self._client


async def read_model(host: str, name: str) -> bytes:
    client = RegistryClients().client(host)
    return (await client.get(f"/models/{name}")).content


async def _report(host: str, name: str) -> bytes:
    client = ReportClients().client(host)
    return (await client.get(f"/reports/{name}")).content


def export_report(host: str, name: str) -> bytes:
    return asyncio.run(_report(host, name))  # error: LD103 "ReportClients._client"


async def fetch_status(host: str) -> int:
    client = StatusClients().client(host)
    return (await client.get("/status")).status_code


def registry_app() -> FastAPI:
    app = FastAPI()

    @app.get("/models/{name}")
    async def model(name: str) -> bytes:
        return await read_model("http://registry", name)

    @app.get("/reports/{name}")
    async def report(name: str) -> bytes:
        return await _report("http://reports", name)

    return app
