# A constructor that keeps the current loop, where nothing in the project ever reads the slot
# negative for: LD303, LD304
# (a leftover after its user was removed): the loop kept schedules nothing and no future is
# made on it, whichever loop it is. Its twin reads the slot and is reported.
import asyncio


class Leftover:
    def __init__(self) -> None:
        self._loop = asyncio.get_event_loop()
        self._session = None

    async def request(self, url: str) -> str:
        await asyncio.sleep(0)
        return url


class Kept:
    def __init__(self) -> None:
        self._kept_loop = asyncio.get_event_loop()  # error: LD303 "Kept._kept_loop" "made outside"

    async def request(self, url: str) -> str:
        future = self._kept_loop.create_future()
        future.set_result(url)
        return await future


def make() -> tuple[Leftover, Kept]:
    return Leftover(), Kept()
