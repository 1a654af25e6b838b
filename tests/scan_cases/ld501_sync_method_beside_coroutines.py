# A sync client that mirrors an async one: a class that offers coroutine methods
# (`stations_async`, awaited by its users inside their loop) and three or more sync methods
# that each run a coroutine with `asyncio.run` or `run_until_complete`. The object lives where
# a loop runs (an async application, Home Assistant, a notebook), and its sync methods called
# there raise "asyncio.run() cannot be called from a running event loop" (mvg 1.3.1; a sync
# client subclassing the async one: TransferQueue 0.1.5).
import asyncio


class Api:
    async def stations_async(self) -> list[str]:
        return []

    async def lines_async(self) -> list[str]:
        return []

    def stations(self) -> list[str]:
        return asyncio.run(self.stations_async())  # error: LD501 "Api.stations" "asyncio.run" "stations_async"

    def lines(self) -> list[str]:
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(self.lines_async())  # error: LD501 "Api.lines" "run_until_complete" "lines_async"
        finally:
            loop.close()

    def count(self) -> int:
        return len(asyncio.run(self.stations_async()))  # error: LD501 "Api.count"


class AsyncQueueClient:
    async def async_put(self, item: int) -> None:
        pass

    async def async_get(self) -> int:
        return 1


class QueueClient(AsyncQueueClient):
    def put(self, item: int) -> None:
        return asyncio.run(self.async_put(item))  # error: LD501 "QueueClient.put" "async_put"

    def get(self) -> int:
        return asyncio.run(self.async_get())  # error: LD501 "QueueClient.get" "async_get"

    def clear(self) -> None:
        asyncio.run(self.async_put(0))  # error: LD501 "QueueClient.clear"
