# Loop-bound values made on first use and kept on an ordinary object, in a library whose sync
# functions run each call on a new loop: the first loop binds what is kept, the next call's
# loop meets it. A kept event loop is reported wherever it is. Holders that compare the stored
# loop with the running one, take the loop again when the kept one is closed, or are made
# per call stay silent, and so do a loop kept on entering an `async with` and one kept only
# for other threads to post to (`call_soon_threadsafe`).
# negative for: LD201, LD203
import asyncio

import httpx
from pydantic import BaseModel, model_validator


class Api:
    def __init__(self, server: str):
        self.server = server
        self.async_client: httpx.AsyncClient | None = None
        self._lock: asyncio.Lock | None = None

    def _set_async_client(self) -> None:
        if self.async_client is None:
            self.async_client = httpx.AsyncClient(http2=True)  # error: LD204 "Api.async_client" "AsyncClient" "new loop per call"

    async def _recreation_lock(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()  # error: LD204 "Api._lock" "Lock"
        return self._lock

    async def post_async(self, path: str) -> httpx.Response:
        self._set_async_client()
        async with await self._recreation_lock():
            return await self.async_client.post(self.server + path)

    def post(self, path: str) -> httpx.Response:
        return asyncio.run(self.post_async(path))  # error: LD103 "post" "Api.async_client"


class Limiter:
    """Keeps the loop it first meets (try/except AttributeError), and schedules there."""

    @property
    def _loop(self) -> asyncio.AbstractEventLoop:
        try:
            loop = self._event_loop
        except AttributeError:
            loop = self._event_loop = asyncio.get_running_loop()  # error: LD204 "Limiter._event_loop" "first event loop"
        return loop

    async def acquire(self) -> None:
        fut = self._loop.create_future()
        self._loop.call_soon(fut.set_result, None)
        await fut


class TaskGroup:
    """Keeps the loop of the block it is entered in: one async with, one loop."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __aenter__(self) -> "TaskGroup":
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.sleep(0)


class FrameInput:
    """Keeps its consumer's loop only so that a reader thread can post frames into it."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[bytes] = asyncio.Queue()

    def push(self, frame: bytes) -> None:  # called by the reader thread
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, frame)

    async def __anext__(self) -> bytes:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return await self._queue.get()


class Throttle:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None

    async def wait(self) -> None:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()  # error: LD204 "Throttle._loop" "compares"
        await asyncio.sleep(0)


class Store(BaseModel):
    """Fills a missing client when the model is built: made with the object, not on first
    use (the per-call loop over it is LD103's)."""

    client: httpx.AsyncClient | None = None

    @model_validator(mode="after")
    def default_client(self) -> "Store":
        if self.client is None:
            self.client = httpx.AsyncClient()
        return self

    async def aclear(self) -> None:
        await self.client.delete("/collection")

    def clear(self) -> None:
        asyncio.run(self.aclear())  # error: LD103 "clear" "Store.client"
