# negative for: LD507
# Sync twins that ask whether a loop runs first, run the coroutine on a loop in another
# thread, try asyncio.run under `except RuntimeError`, or run something other than a twin.
import asyncio
import concurrent.futures


def _run(coro):
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


class TransitApi:
    @staticmethod
    async def stations_async() -> list[str]:
        return []

    @staticmethod
    def stations() -> list[str]:
        return _run(TransitApi.stations_async())

    @staticmethod
    def lines() -> list[str]:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(TransitApi.stations_async())
        raise RuntimeError("a loop runs here: await stations_async() instead")

    @staticmethod
    async def refresh() -> None:
        return None

    @staticmethod
    def download() -> None:
        asyncio.run(TransitApi.refresh())


def main() -> None:
    asyncio.run(TransitApi.stations_async())
