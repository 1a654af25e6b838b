# Constructors that make objects which take the current event loop when made: another
# library's (a Kafka producer, a Future), an asyncio primitive (up to Python 3.9), or a
# class of this project whose own constructor does. Made lazily inside the loop, only by
# coroutines, or handed the owner's loop explicitly: fine.
# negative for: LD303, LD304
import asyncio
from functools import cached_property

from aiokafka import AIOKafkaProducer


class LogQueue:
    def __init__(self, size: int):
        self._queue = asyncio.Queue(maxsize=size)  # error: LD304 "asyncio.Queue" "Python 3.9"

    async def drain(self) -> None:
        while not self._queue.empty():
            await self._queue.get()


class Publisher:
    def __init__(self, servers: str):
        self._producer = AIOKafkaProducer(bootstrap_servers=servers)  # error: LD304 "AIOKafkaProducer" "made outside a running loop"
        self._closed = asyncio.Future()  # error: LD304 "asyncio.Future" "Publisher._closed"

    async def publish(self, topic: str, value: bytes) -> None:
        await self._producer.send_and_wait(topic, value)


class LazyPublisher:
    def __init__(self, servers: str):
        self._servers = servers
        self._producer: AIOKafkaProducer | None = None

    async def publish(self, topic: str, value: bytes) -> None:
        if self._producer is None:
            self._producer = AIOKafkaProducer(bootstrap_servers=self._servers)
        await self._producer.send_and_wait(topic, value)


class LazyQueue:
    @cached_property
    def _queue(self) -> asyncio.Queue:
        return asyncio.Queue()

    async def get(self) -> object:
        return await self._queue.get()


class OwnedLoop:
    def __init__(self, loop: asyncio.AbstractEventLoop):
        self._loop = loop
        self._queue = asyncio.Queue(loop=self._loop)  # the owner names the loop


class CapturedLoop:
    def __init__(self):
        self._queue = asyncio.Queue(loop=asyncio.get_event_loop())  # error: LD304 "asyncio.Queue" "made outside a running loop"


class Session:
    def __init__(self):
        self.ready = asyncio.Event()  # made only by a coroutine, on the loop that waits


async def open_session() -> Session:
    return Session()


def throttle(limit: int, fetch):
    semaphore = asyncio.Semaphore(limit)  # error: LD304 "throttle" "asyncio.Semaphore" "wrapped"

    async def wrapped(*args):
        async with semaphore:
            return await fetch(*args)

    return wrapped


def throttle_lazily(limit: int, fetch):
    semaphore = None

    async def wrapped(*args):
        nonlocal semaphore
        if semaphore is None:  # made on the first call, on the loop that awaits it
            semaphore = asyncio.Semaphore(limit)
        async with semaphore:
            return await fetch(*args)

    return wrapped


class Limiter:
    def __init__(self, limit: int):
        self._lock = asyncio.Lock()  # waits on a loop only under contention
        self._slots = asyncio.Semaphore(limit)


def gather_limited(coros, limit: int):
    semaphore = asyncio.Semaphore(limit)  # made by code that runs on the loop (create_task)

    async def limited(coro):
        async with semaphore:
            return await coro

    return [asyncio.create_task(limited(c)) for c in coros]
