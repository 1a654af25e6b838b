import asyncio

from . import Multi


class Session:
    def __init__(self, multi: Multi | None = None) -> None:
        self._multi = multi

    @property
    def multi(self) -> Multi:
        if self._multi is None:
            self._multi = Multi(asyncio.get_running_loop())
        return self._multi

    async def __aenter__(self) -> "Session":
        return self

    async def __aexit__(self, *args: object) -> None:
        self.close()

    def close(self) -> None:
        self.multi.close()


class SafeSession(Session):
    async def __aexit__(self, *args: object) -> None:
        self.multi.close_if_idle()
        await asyncio.to_thread(self.multi.close_in_worker)
        await self.multi.aclose()
