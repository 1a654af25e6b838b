# A constructor that keeps the loop its caller gives, and takes the current one only when
# negative for: LD303
# given none, keeps what a caller that gives one decides: such a caller made outside a loop is
# no evidence that the object holds a wrong loop, whether the choice is written
# `loop or get_event_loop()` or as two stores of the slot (one per branch, or the parameter
# first and the current loop when it is None). Only a maker that gives none counts (LD303);
# with no such maker the shape stays LD304 (preview).
import asyncio


class Timed:  # every client below reads its kept loop
    _loop: asyncio.AbstractEventLoop

    def now(self) -> float:
        return self._loop.time()


class OrClient(Timed):
    def __init__(self, loop=None):
        self._loop = loop or asyncio.get_event_loop()  # error: LD304 "OrClient._loop"


class BranchClient(Timed):
    def __init__(self, name: str, loop=None):
        self.name = name
        if loop is not None:
            self._loop = loop
        else:
            self._loop = asyncio.get_event_loop()  # error: LD304 "BranchClient._loop"


class NoneFirstClient(Timed):
    def __init__(self, loop=None):
        self._loop = loop
        if self._loop is None:
            self._loop = asyncio.get_event_loop()  # error: LD304 "NoneFirstClient._loop"


class BareClient(Timed):  # the unsafe twin: its maker gives no loop
    def __init__(self, name: str, loop=None):
        self.name = name
        if loop is not None:
            self._loop = loop
        else:
            self._loop = asyncio.get_event_loop()  # error: LD303 "BareClient._loop" "made outside"


def main() -> None:
    loop = asyncio.new_event_loop()
    clients = [OrClient(loop=loop), BranchClient("b", loop=loop), NoneFirstClient(loop)]
    loop.run_until_complete(asyncio.sleep(0, clients))


def bare() -> BareClient:
    return BareClient("bare")
