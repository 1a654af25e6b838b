# negative for: LD204
# A helper that keeps the first running loop, made only in another class's constructor as a
# part of that object (an auth handler's HTTP helper): it meets the loops its owner meets, and
# nothing here runs the owner on a loop of its own: silent. The same helper with a sync method
# that starts a new loop per call over it is reported.
import asyncio
import urllib.request


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url) as response:
        return response.read()


class BlockingFetcher:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self._loop

    async def get(self, url: str) -> bytes:
        return await self.loop.run_in_executor(None, fetch, url)


class OpenIDHandler:
    def __init__(self, authority: str) -> None:
        self.authority = authority
        self.http = BlockingFetcher()

    async def keys(self) -> bytes:
        return await self.http.get(f"{self.authority}/keys")


class SyncFetcher:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None

    async def get(self, url: str) -> bytes:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()  # error: LD204 "SyncFetcher._loop" "compares"
        return await self._loop.run_in_executor(None, fetch, url)

    def get_blocking(self, url: str) -> bytes:
        return asyncio.run(self.get(url))  # a new loop per call, over the loop kept by the first


class Discovery:
    def __init__(self, authority: str) -> None:
        self.authority = authority
        self.http = SyncFetcher()

    async def keys(self) -> bytes:
        return await self.http.get(f"{self.authority}/keys")
