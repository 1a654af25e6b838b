# A client passed in to a sync function that makes a new loop per call: the callers decide
# negative for: LD103
# whether it outlives the loop. Nobody here calls `get_text`: its callers are outside, and
# whoever keeps one client for several calls hands it to several loops.
import asyncio

import aiohttp
import httpx

SHARED = httpx.AsyncClient()  # error: LD301 "SHARED"


def get_text(client: httpx.AsyncClient, url: str) -> str:
    return asyncio.run(client.get(url)).text  # error: LD103 "get_text" "client passed in" "AsyncClient"


def post_form(client: httpx.AsyncClient, url: str) -> int:
    return asyncio.run(client.post(url)).status_code  # error: LD103 "post_form" "SHARED"


def post_to_shared(url: str) -> int:
    return post_form(SHARED, url)


def head(client: httpx.AsyncClient, url: str) -> int:
    return asyncio.run(client.head(url)).status_code  # each caller passes its own client


def head_with_own_client(url: str) -> int:
    return head(httpx.AsyncClient(), url)


class Server:
    """Holds a session, made anew by each run of `run` on the loop that runs it."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def run(self) -> None:
        self._session = aiohttp.ClientSession()

    async def aclose(self) -> None:
        await self._session.close()


def run_worker(server: Server) -> None:
    loop = asyncio.new_event_loop()
    loop.run_until_complete(server.run())  # one loop for the whole run: silent
    loop.run_until_complete(server.aclose())


def options(client: httpx.AsyncClient, url: str) -> int:
    return asyncio.run(client.options(url)).status_code  # error: LD103 "options" "client passed in" "line 61"


class Checker:
    def __init__(self, client) -> None:
        self.client = client  # what it is, nothing here says

    def check(self, url: str) -> int:
        return options(self.client, url)
