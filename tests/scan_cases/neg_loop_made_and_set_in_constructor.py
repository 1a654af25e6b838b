# negative for: LD303, LD304
# A constructor that makes a new loop and sets it as the thread's loop just before
# get_event_loop() keeps the loop it has just made, not one the thread had: the object owns
# it and drives it itself. Asked before the new loop is set, or after a set that only some
# paths make, get_event_loop() is still the thread's loop (reported).
import asyncio


class Bot:
    def __init__(self, loopless: bool = False):
        if loopless:
            self.eventloop = None
        else:
            asyncio.set_event_loop(asyncio.new_event_loop())
            self.eventloop = asyncio.get_event_loop()

    def run(self) -> None:
        self.eventloop.run_until_complete(self.start())
        self.eventloop.close()

    async def start(self) -> None: ...


class Worker:
    def __init__(self):
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self.loop = asyncio.get_event_loop()

    def run(self) -> None:
        self.loop.run_until_complete(self.work())

    async def work(self) -> None: ...


class TooEarly:
    def __init__(self):
        self.loop = asyncio.get_event_loop()  # error: LD303 "TooEarly.loop" "drives that loop"
        asyncio.set_event_loop(asyncio.new_event_loop())

    def run(self) -> None:
        self.loop.run_until_complete(self.work())

    async def work(self) -> None: ...


class OnlySometimes:
    def __init__(self, fresh: bool):
        if fresh:
            asyncio.set_event_loop(asyncio.new_event_loop())
        self.loop = asyncio.get_event_loop()  # error: LD303 "OnlySometimes.loop" "drives that loop"

    def run(self) -> None:
        self.loop.run_until_complete(self.work())

    async def work(self) -> None: ...


class SetsAnotherLoop:
    def __init__(self, shared: asyncio.AbstractEventLoop):
        asyncio.set_event_loop(shared)
        self.loop = asyncio.get_event_loop()  # error: LD303 "SetsAnotherLoop.loop" "drives that loop"

    def run(self) -> None:
        self.loop.run_until_complete(self.work())

    async def work(self) -> None: ...
