import asyncio


class Multi:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._checker = loop.create_task(self._tick())

    async def _tick(self) -> None:
        await asyncio.sleep(1)

    def close(self) -> None:
        self._checker.cancel()
        self.loop.run_until_complete(self._checker)  # error: LD501 "Multi.close" "Session.__aexit__" "Session.close"

    def close_if_idle(self) -> None:
        if not self.loop.is_running():
            self.loop.run_until_complete(self._checker)

    def close_in_worker(self) -> None:
        self.loop.run_until_complete(self._checker)

    async def aclose(self) -> None:
        self._checker.cancel()
        await asyncio.gather(self._checker, return_exceptions=True)
