# LD204's loops over an object's own methods, in their safe forms: the object is used from
# the caller's loop only (no sync code starts a loop over it), a sync method's loop per call
# runs a method that never touches the slot made on first use, or the loop runs a method of
# an object made right there for it, or takes a lock (bound only when contended).
# negative for: LD204
import asyncio

import aiohttp

from pollkit.sync import run_sync


class Dispatcher:
    """Used from one loop only: every caller awaits start_polling."""

    def __init__(self) -> None:
        self._stop_signal: asyncio.Event | None = None

    async def start_polling(self) -> None:
        if self._stop_signal is None:
            self._stop_signal = asyncio.Event()
        await self._stop_signal.wait()


class Pinger:
    """The sync wrapper's loop runs ping, which never touches the lazily made session."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._session = None

    async def fetch(self) -> bytes:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.get(self.url) as resp:
            return await resp.read()

    async def ping(self) -> str:
        await asyncio.sleep(0)
        return self.url

    def ping_sync(self) -> str:
        return asyncio.run(self.ping())

    def ping_via_helper(self) -> str:
        return run_sync(self.ping())


class Job:
    def __init__(self) -> None:
        self._done: asyncio.Event | None = None

    async def wait(self) -> None:
        if self._done is None:
            self._done = asyncio.Event()
        await self._done.wait()


class Runner:
    """Each call makes its own Job: nothing the loop binds outlives it."""

    def __init__(self) -> None:
        self.name = "runner"

    def run_once(self) -> None:
        asyncio.run(Job().wait())


class Session:
    """A lock taken once per run binds only when contended: the sync discovery's loop does
    not bind it, and the caller's loop that connects later is its only one."""

    def __init__(self) -> None:
        self._connect_lock: asyncio.Lock | None = None

    def _lock(self) -> asyncio.Lock:
        if self._connect_lock is None:
            self._connect_lock = asyncio.Lock()
        return self._connect_lock

    async def connect(self) -> None:
        async with self._lock():
            await asyncio.sleep(0)

    def discover(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self.connect())
        finally:
            loop.close()
