# negative for: LD201
# Module-level caches of async clients keyed by host only, used only by request handlers that
# are registered by call rather than by decorator: FastAPI's `add_api_route`, Starlette's
# `Route(path, endpoint=...)` inside a `Mount` (a function, or a class-based view), aiohttp's `router.add_get` and `web.get` inside
# `add_routes`, Quart's `add_url_rule`. Their server runs one loop per process: silent.
# `_export_clients` is also used by a handler that a sync export runs on a new loop per call,
# and `_job_clients` by a coroutine handed to the project's own `add_route` (a job table, no
# web route): both reported.
import asyncio

import httpx
from aiohttp import web
from fastapi import APIRouter, FastAPI
from quart import Quart
from starlette.applications import Starlette
from starlette.endpoints import HTTPEndpoint
from starlette.routing import Mount, Route

_model_clients: dict[str, httpx.AsyncClient] = {}
_page_clients: dict[str, httpx.AsyncClient] = {}
_feed_clients: dict[str, httpx.AsyncClient] = {}
_export_clients: dict[str, httpx.AsyncClient] = {}
_job_clients: dict[str, httpx.AsyncClient] = {}


def model_client(host: str) -> httpx.AsyncClient:
    if host not in _model_clients:
        _model_clients[host] = httpx.AsyncClient(base_url=host)
    return _model_clients[host]


def page_client(host: str) -> httpx.AsyncClient:
    if host not in _page_clients:
        _page_clients[host] = httpx.AsyncClient(base_url=host)
    return _page_clients[host]


def feed_client(host: str) -> httpx.AsyncClient:
    if host not in _feed_clients:
        _feed_clients[host] = httpx.AsyncClient(base_url=host)
    return _feed_clients[host]


def export_client(host: str) -> httpx.AsyncClient:
    if host not in _export_clients:
        _export_clients[host] = httpx.AsyncClient(base_url=host)  # error: LD201 "_export_clients" "AsyncClient"
    return _export_clients[host]


def job_client(host: str) -> httpx.AsyncClient:
    if host not in _job_clients:
        _job_clients[host] = httpx.AsyncClient(base_url=host)  # error: LD201 "_job_clients" "AsyncClient"
    return _job_clients[host]


class ModelEndpoints:
    def __init__(self, host: str) -> None:
        self.host = host

    async def predict(self, name: str) -> bytes:
        return (await model_client(self.host).post(f"/models/{name}")).content

    async def export(self, name: str) -> bytes:
        return (await export_client(self.host).get(f"/export/{name}")).content


def model_app() -> FastAPI:
    app = FastAPI()
    endpoints = ModelEndpoints("http://models")
    router = APIRouter()
    router.add_api_route("/models/{name}", endpoints.predict, methods=["POST"])
    router.add_api_route("/export/{name}", endpoints.export, methods=["GET"])
    app.include_router(router)
    return app


def export_model(name: str) -> bytes:
    return asyncio.run(ModelEndpoints("http://models").export(name))  # error: LD103 "_export_clients"


async def page(request) -> bytes:
    return (await page_client("http://pages").get(request.url.path)).content


class PageIndex(HTTPEndpoint):
    async def get(self, request) -> bytes:
        return (await page_client("http://pages").get("/")).content


def page_app() -> Starlette:
    return Starlette(routes=[
        Mount("/pages", routes=[Route("/", PageIndex), Route("/{name}", endpoint=page)]),
    ])


async def feed(request) -> web.Response:
    body = (await feed_client("http://feeds").get("/latest")).content
    return web.Response(body=body)


async def feed_item(request) -> web.Response:
    body = (await feed_client("http://feeds").get(request.path)).content
    return web.Response(body=body)


def feed_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/feed", feed)
    app.add_routes([web.get("/feed/{item}", feed_item)])
    return app


async def quart_page(name: str) -> bytes:
    return (await page_client("http://pages").get(f"/{name}")).content


def quart_app() -> Quart:
    app = Quart(__name__)
    app.add_url_rule("/q/<name>", view_func=quart_page)
    return app


class Jobs:
    def __init__(self) -> None:
        self.table: dict = {}

    def add_route(self, name: str, job) -> None:
        self.table[name] = job


async def fetch_job(host: str, name: str) -> bytes:
    return (await job_client(host).get(f"/jobs/{name}")).content


def job_table() -> Jobs:
    jobs = Jobs()
    jobs.add_route("fetch", fetch_job)
    return jobs
