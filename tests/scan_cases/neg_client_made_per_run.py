# negative for: LD103
# A blocking `start()` runs the bot's loop once; the HTTP wrapper the bot makes in `__init__`
# opens its session in `login`, which every run awaits first, and closes it in `close` at the
# end of the run. Each run, on whatever loop, has its own session: the wrapper keeps none
# across loops. A wrapper that opens its session in `__init__` hands the first run's session
# to the next run's loop (reported, LD103). aiohttp's session takes the running loop when
# made (raises outside one), so making it in `__init__` is no LD304 of its own.
import asyncio

import aiohttp


class HTTPClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._session: aiohttp.ClientSession | None = None

    async def login(self, token: str) -> None:
        self._session = aiohttp.ClientSession(headers={"Authorization": token})

    async def request(self, path: str) -> dict:
        async with self._session.get(self.base_url + path) as response:
            return await response.json()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class Bot:
    def __init__(self) -> None:
        self.http = HTTPClient("https://api.example.com")

    async def astart(self, token: str) -> None:
        await self.http.login(token)
        try:
            await self.http.request("/gateway")
        finally:
            await self.http.close()

    def start(self, token: str) -> None:
        asyncio.run(self.astart(token))


class EagerHTTPClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._session = aiohttp.ClientSession()

    async def request(self, path: str) -> dict:
        async with self._session.get(self.base_url + path) as response:
            return await response.json()


class EagerBot:
    def __init__(self) -> None:
        self.http = EagerHTTPClient("https://api.example.com")

    async def astart(self) -> None:
        await self.http.request("/gateway")

    def start(self) -> None:
        asyncio.run(self.astart())  # error: LD103 "start" "EagerHTTPClient._session"
