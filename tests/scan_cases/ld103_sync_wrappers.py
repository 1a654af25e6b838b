# LD103 through decorators and helpers: a wrapper that runs the coroutine function it wraps
# on a new loop makes every decorated coroutine function a fresh loop per call.
# negative for: LD103
import asyncio
import functools
import inspect

import httpx
from openai import AsyncOpenAI

_shared = AsyncOpenAI()  # error: LD301 "_shared" "AsyncOpenAI"


def sync(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))  # error: LD103 "@sync" "`models`" "_shared"

    return wrapper


def blocking(timeout=None):
    def decorate(fn):
        def run(*args, **kwargs):
            loop = asyncio.new_event_loop()
            try:
                return loop.run_until_complete(fn(*args, **kwargs))  # error: LD103 "@blocking" "Weather.alerts" "Weather._http"
            finally:
                loop.close()

        return run

    return decorate


class Weather:
    def __init__(self):
        self._http = httpx.AsyncClient()

    @sync
    async def forecast(self, city):
        return await self._http.get(f"/forecast/{city}")

    @blocking(timeout=3)
    async def alerts(self, city):
        return await self._http.get(f"/alerts/{city}")


@sync
async def models():
    return await _shared.models.list()


@sync
async def fresh_models():
    async with AsyncOpenAI() as client:  # its own client, closed by its own loop: silent
        return await client.models.list()


def run_in_new_loop(coro):
    async def guarded():
        return await coro

    return asyncio.run(guarded())  # error: LD103 "run_in_new_loop" "Geo._http"


class Geo:
    def __init__(self):
        self._http = httpx.AsyncClient()

    def lookup(self, place):
        return run_in_new_loop(self._lookup(place))

    async def _lookup(self, place):
        return await self._http.get(f"/geo/{place}")


@sync
async def main():  # runs once per process: silent
    return await _shared.models.list()


class SyncGeo:
    """A sync facade over the async client: one new loop per call, one client for all."""

    def __init__(self):
        self._async = Geo()

    def lookup(self, place):
        return asyncio.run(self._async._lookup(place))  # error: LD103 "`lookup`" "Geo._http"

    def __getattr__(self, name):
        attr = getattr(self._async, name)
        if inspect.iscoroutinefunction(attr):
            def call(*args, **kwargs):
                return asyncio.run(attr(*args, **kwargs))  # error: LD103 "`call`" "SyncGeo._async"
            return call
        return attr


def run_blocking(fn):
    def run(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))  # error: LD103 "@synced" "Quotes.latest" "Quotes._http"

    return run


def synced(cls):
    """A class decorator: every coroutine method gets a sync twin through ``run_blocking``."""
    for name, method in list(vars(cls).items()):
        if inspect.iscoroutinefunction(method):
            setattr(cls, f"{name}_sync", run_blocking(method))
    return cls


@synced
class Quotes:
    def __init__(self):
        self._http = httpx.AsyncClient()

    async def latest(self, symbol):
        return await self._http.get(f"/quotes/{symbol}")


@synced
class Fresh:
    async def latest(self, symbol):
        async with httpx.AsyncClient() as http:  # its own client per call: silent
            return await http.get(f"/quotes/{symbol}")
