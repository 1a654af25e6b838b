# A sync method that runs a new loop per call over a coroutine method of its own object
# (here, of an object one of its attributes holds, made in its constructor; there, through a
# helper that runs the coroutine passed in): every call is another loop over the same
# instance, so what that method makes on first use and keeps is bound to the first loop.
# negative for: LD201, LD203
import asyncio

import aiohttp
from sqlalchemy.ext.asyncio import create_async_engine

from pollkit.sync import run_sync


class Dispatcher:
    def __init__(self) -> None:
        self._stop_signal: asyncio.Event | None = None

    async def start_polling(self) -> None:
        if self._stop_signal is None:
            self._stop_signal = asyncio.Event()  # error: LD204 "Dispatcher._stop_signal" "Event" "new loop per call"
        self._stop_signal.clear()
        await self._stop_signal.wait()

    def run_polling(self) -> None:
        coro = self.start_polling()
        return asyncio.run(coro)


class HTTPClient:
    def __init__(self) -> None:
        self.connector = None
        self._session = None

    async def static_login(self, token: str) -> None:
        if self.connector is None:
            self.connector = aiohttp.TCPConnector(limit=0)  # error: LD204 "HTTPClient.connector" "TCPConnector"
        self._session = aiohttp.ClientSession(connector=self.connector)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class Client:
    def __init__(self) -> None:
        self.http = HTTPClient()

    async def start(self, token: str) -> None:
        await self.http.static_login(token)

    def run(self, token: str) -> None:
        async def runner() -> None:
            try:
                await self.start(token)
            finally:
                await self.http.close()

        asyncio.run(runner())


class ChatStore:
    def __init__(self, uri: str) -> None:
        self.uri = uri
        self._engine = None

    async def _connect(self):
        if self._engine is None:
            self._engine = create_async_engine(self.uri)  # error: LD204 "ChatStore._engine" "pollkit/sync.py:6"
        return self._engine

    async def _dump(self) -> list:
        engine = await self._connect()
        async with engine.connect() as conn:
            return list(await conn.execute("select 1"))

    def dump(self) -> list:
        return run_sync(self._dump())
