# LD204's loops over an object's own methods, in their safe forms: the object is used from
# the caller's loop only (no sync code starts a loop over it), a sync method's loop per call
# runs a method that never touches the slot made on first use, or the loop runs a method of
# an object made right there for it.
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
