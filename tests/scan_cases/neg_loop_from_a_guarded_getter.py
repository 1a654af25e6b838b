# negative for: LD505
# A getter that gives a thread with no loop its own, one that makes its loop, and a getter
# whose only runner is a program's main() that set its loop first.
import asyncio


class Session:
    def __init__(self) -> None:
        self._loop = None

    def _get_event_loop(self):
        try:
            return asyncio.get_event_loop()
        except RuntimeError:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            return loop

    def _own_loop(self):
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop

    async def _work(self) -> None:
        await asyncio.sleep(0)

    def run(self) -> None:
        self._get_event_loop().run_until_complete(self._work())

    def run_own(self) -> None:
        self._own_loop().run_until_complete(self._work())


def _current():
    return asyncio.get_event_loop()


def main() -> None:
    asyncio.set_event_loop(asyncio.new_event_loop())
    _current().run_until_complete(Session()._work())
