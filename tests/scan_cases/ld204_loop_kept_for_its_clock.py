# LD204: a loop kept lazily and read only for its clock (`loop.time()`, the same monotonic
# clock on every loop), or never read at all, schedules nothing on a closed or foreign loop.
# A subclass that schedules on the same kept loop is reported.
# negative for: LD204
import asyncio


class Throttle:
    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if getattr(self, "_loop", None) is None:
            self._loop = asyncio.get_running_loop()
        return self._loop

    def expired(self, since: float, period: float) -> bool:
        return self.loop.time() - since > period


class Select:
    def __init__(self, *awaitables, loop=None):
        self._awaitables = awaitables
        self.__loop = loop

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self.__loop is None:
            self.__loop = asyncio.get_running_loop()
        return self.__loop

    def __await__(self):
        return asyncio.gather(*self._awaitables).__await__()


class Mixin:
    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if getattr(self, "_loop", None) is None:
            self._loop = asyncio.get_running_loop()  # error: LD204 "Mixin._loop" "first event loop"
        return self._loop


class Pinger(Mixin):
    def elapsed(self, since: float) -> float:
        return self.loop.time() - since


class Spawner(Mixin):
    async def work(self) -> None:
        await asyncio.sleep(0)

    def spawn(self) -> asyncio.Task:
        return self.loop.create_task(self.work())
