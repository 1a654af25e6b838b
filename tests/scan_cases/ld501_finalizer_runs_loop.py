# `__del__` that closes a session with `run_until_complete` runs a loop wherever the object is
# collected: inside a coroutine that loop is already running ("This event loop is already
# running"). A finalizer that asks whether a loop runs first, one that tolerates the
# RuntimeError, and an awaited `aclose()` are fine.
# negative for: LD501
import asyncio

import aiohttp


class Client:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._session: aiohttp.ClientSession | None = None

    def __del__(self) -> None:
        if self._session:
            self._loop.run_until_complete(self._session.close())  # error: LD501 "__del__" "run_until_complete"


class AskingClient(Client):
    def __del__(self) -> None:
        if self._session and not self._loop.is_running():
            self._loop.run_until_complete(self._session.close())


class TolerantClient(Client):
    def __del__(self) -> None:
        try:
            self._loop.run_until_complete(self._session.close())
        except RuntimeError:
            pass


class AwaitedClient(Client):
    async def aclose(self) -> None:
        if self._session:
            await self._session.close()
