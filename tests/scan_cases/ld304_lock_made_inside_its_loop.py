# The safe forms of a Lock or Semaphore made in a constructor: the object is made by the
# coroutine that uses it (on the loop `asyncio.run` made), or handed the loop it is for.
# negative for: LD304
import asyncio


class Uploader:
    def __init__(self, limit: int) -> None:
        self._slots = asyncio.Semaphore(limit)  # made inside the loop that waits on it
        self._write_lock = asyncio.Lock()

    async def upload(self, name: str) -> str:
        async with self._slots, self._write_lock:
            await asyncio.sleep(0.1)
        return name

    async def upload_all(self, names: list[str]) -> list[str]:
        return list(await asyncio.gather(*(self.upload(name) for name in names)))


async def upload_everything(names: list[str]) -> list[str]:
    return await Uploader(4).upload_all(names)


def main(names: list[str]) -> list[str]:
    return asyncio.run(upload_everything(names))


class BatchLogger:
    def __init__(self) -> None:
        asyncio.create_task(self.flush_periodically())  # raises unless a loop runs here
        self.flush_lock = asyncio.Lock()  # so it is made on the loop that runs it

    async def flush_periodically(self) -> None:
        while True:
            async with self.flush_lock:
                await asyncio.sleep(5)


def make_logger() -> BatchLogger:
    return BatchLogger()
