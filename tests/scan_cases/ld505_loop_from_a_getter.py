# A library's sync API runs coroutines on the loop a getter takes with `get_event_loop()`
# (returned, or kept on the instance and run through the attribute): a user's thread has no
# current loop, and since Python 3.14 neither has the main thread before one is set.
import asyncio


class Session:
    def __init__(self) -> None:
        self._loop = None
        self._task = None

    def _get_event_loop(self):
        loop = self._loop
        if not loop:
            loop = asyncio.get_event_loop()  # error: LD505 "shutdown" "no current event loop"
            self._loop = loop
        return loop

    async def _connect(self) -> None:
        await asyncio.sleep(0)

    def shutdown(self) -> None:
        loop = self._get_event_loop()
        if not loop.is_running():
            loop.run_until_complete(self._connect())


class Terminal:
    def __init__(self) -> None:
        self.__loop = None

    def event_loop(self):
        if not self.__loop:
            self.__loop = asyncio.get_event_loop()  # error: LD505 "wait" "3.14"
        return self.__loop

    def wait(self, timeout: float) -> None:
        self.__loop.run_until_complete(asyncio.sleep(timeout))
