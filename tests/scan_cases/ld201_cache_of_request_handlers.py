# negative for: LD201
# A module-level cache of async clients keyed by host only. `_viewer_clients` is used only by
# a web app's request handlers (through a helper they alone call, and a closure): the server
# that runs them runs one loop per process, so the cache meets one loop. `_api_clients` is
# also used by the library's public coroutine, which any loop of its users may run, and
# `_report_clients` also by a sync export that runs a new loop per call: both reported.
import asyncio

import httpx
from fastapi import FastAPI

_viewer_clients: dict[str, httpx.AsyncClient] = {}
_api_clients: dict[str, httpx.AsyncClient] = {}
_report_clients: dict[str, httpx.AsyncClient] = {}


def viewer_client(host: str) -> httpx.AsyncClient:
    if host not in _viewer_clients:
        _viewer_clients[host] = httpx.AsyncClient(base_url=host)
    return _viewer_clients[host]


async def read_log(host: str, name: str) -> bytes:
    client = viewer_client(host)

    async def fetch() -> bytes:
        return (await client.get(f"/logs/{name}")).content

    return await fetch()


def api_client(host: str) -> httpx.AsyncClient:
    if host not in _api_clients:
        _api_clients[host] = httpx.AsyncClient(base_url=host)  # error: LD201 "_api_clients" "AsyncClient"
    return _api_clients[host]


async def fetch_status(host: str) -> int:
    return (await api_client(host).get("/status")).status_code


def report_client(host: str) -> httpx.AsyncClient:
    if host not in _report_clients:
        _report_clients[host] = httpx.AsyncClient(base_url=host)  # error: LD201 "_report_clients" "AsyncClient"
    return _report_clients[host]


async def _report(host: str) -> bytes:
    return (await report_client(host).get("/report")).content


def export_report(host: str) -> bytes:
    return asyncio.run(_report(host))  # error: LD103 "_report_clients"


def viewer_app() -> FastAPI:
    app = FastAPI()

    @app.get("/logs/{name}")
    async def log(name: str) -> bytes:
        return await read_log("http://logs", name)

    @app.get("/status")
    async def status() -> int:
        return (await api_client("http://logs").get("/status")).status_code

    @app.get("/report")
    async def report() -> bytes:
        return await _report("http://logs")

    return app
