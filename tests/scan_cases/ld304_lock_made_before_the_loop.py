# A Lock or Semaphore made in a constructor: up to Python 3.9 it binds, when made, to the
# current loop of the thread that makes the object. Made in sync code before `asyncio.run`,
# it holds the thread's default loop, not the one `asyncio.run` makes; it waits on that loop
# only when contended, which is what it is made for: "attached to a different loop" then.
import asyncio


class Downloader:
    def __init__(self, limit: int) -> None:
        self._slots = asyncio.Semaphore(limit)  # error: LD304 "asyncio.Semaphore" "Downloader._slots" "when contended"
        self._write_lock = asyncio.Lock()  # error: LD304 "asyncio.Lock" "Downloader._write_lock" "made outside a running loop"

    async def fetch(self, url: str) -> str:
        async with self._slots:
            await asyncio.sleep(0.1)
        async with self._write_lock:
            await asyncio.sleep(0.1)
        return url

    async def fetch_all(self, urls: list[str]) -> list[str]:
        return list(await asyncio.gather(*(self.fetch(url) for url in urls)))


def main(urls: list[str]) -> list[str]:
    downloader = Downloader(4)
    return asyncio.run(downloader.fetch_all(urls))
