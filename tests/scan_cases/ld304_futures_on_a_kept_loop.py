# A constructor keeps the running loop, or a loop it is given, and a coroutine method awaits
# futures made on that kept loop: whichever loop uses the object later (a lock made under a
# fixture's or an app's start-up loop, acquired under another), its waiters are the first
# loop's futures, as asyncio's own primitives were up to Python 3.9 (a hang, or "attached to
# a different loop"). Safe forms stay silent: futures made on the running loop when waiting,
# a loop bound lazily and compared with the running one, a kept loop compared before waiting,
# a kept loop that only schedules callbacks, a class made only inside coroutines, and an
# asyncio protocol (or a mixin only protocols derive from, or a subclass of asyncio's own
# StreamReaderProtocol), which its loop's factory makes. A sibling class's
# `super().__init__()` runs the base's constructor, not this one's: it is no maker of it
# (`Browser`); a subclass's is (`Finder`, made by `LocalFinder` in sync code).
from __future__ import annotations

import asyncio
import threading
from collections import deque


class _Core:
    def __init__(self, fast: bool, loop: asyncio.AbstractEventLoop) -> None:
        self._fast = fast
        self._loop = loop  # error: LD304 "__init__" "_loop" "acquire" "create_future"
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> None:
        fut = self._loop.create_future()
        self._waiters.append(fut)
        await fut


class Gate:
    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()  # error: LD304 "running loop" "_loop" "wait"
        self._core = _Core(False, self._loop)

    async def wait(self) -> None:
        await self._loop.create_future()


class GateOnRunningLoop:
    def __init__(self) -> None:
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def wait(self) -> None:
        fut = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        await fut


_bind_lock = threading.Lock()


class GateBoundLazily:
    _loop: asyncio.AbstractEventLoop | None = None

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if self._loop is None:
            with _bind_lock:
                if self._loop is None:
                    self._loop = loop
        if loop is not self._loop:
            raise RuntimeError(f"{self!r} is bound to a different event loop")
        return loop

    async def wait(self) -> None:
        await self._get_loop().create_future()


class GateCheckedBeforeWaiting:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    async def wait(self) -> None:
        if asyncio.get_running_loop() is not self._loop:
            raise RuntimeError("used from another event loop")
        await self._loop.create_future()


class Notifier:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def notify(self, callback) -> None:
        self._loop.call_soon_threadsafe(callback)


class Waiter:
    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def wait(self) -> None:
        await self._loop.create_future()


async def serve() -> None:
    await Waiter().wait()  # made by the loop that waits on it


class FlowControl:
    """A mixin only asyncio protocols derive from: the loop's factory makes them."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop or asyncio.get_event_loop()

    async def drain(self) -> None:
        await self._loop.create_future()


class LineProtocol(FlowControl, asyncio.Protocol):
    def __init__(self) -> None:
        super().__init__()
        self.ready = asyncio.get_event_loop().create_future()


class Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()

    async def send(self) -> None:
        await self.loop.create_future()


class Session(asyncio.StreamReaderProtocol):
    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.loop = loop or asyncio.get_event_loop()
        super().__init__(asyncio.StreamReader(loop=self.loop), loop=self.loop)

    async def starttls(self) -> None:
        await self.loop.create_future()


async def connect(host: str) -> None:
    loop = asyncio.get_running_loop()
    await loop.create_connection(LineProtocol, host, 25)
    await loop.create_connection(Connection, host, 80)
    await loop.create_server(Session, host, 587)


class Controller:
    def __init__(self, cache: dict) -> None:
        self.cache = cache


class Browser(Controller):
    def __init__(self, cache: dict) -> None:
        super().__init__(cache)
        self._loop = asyncio.get_running_loop()

    async def find(self) -> None:
        await self._loop.create_future()


class IpBrowser(Browser):
    pass


class Hub(Controller):
    def __init__(self) -> None:
        super().__init__({})  # the base's constructor: no IpBrowser is made here


async def discover() -> None:
    await IpBrowser({}).find()


class Finder(Controller):
    def __init__(self, cache: dict) -> None:
        super().__init__(cache)
        self._loop = asyncio.get_running_loop()  # error: LD304 "running loop" "_loop" "find"

    async def find(self) -> None:
        await self._loop.create_future()


class LocalFinder(Finder):
    def __init__(self) -> None:
        super().__init__({})


def local_finder() -> LocalFinder:
    return LocalFinder()
