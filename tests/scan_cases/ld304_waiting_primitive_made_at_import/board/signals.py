# Up to Python 3.9 an asyncio Event, Condition or Queue made at import takes the importing
# thread's current loop then (and raises in a thread that has none), whichever loop later
# waits on it. The project starts a loop of its own (a worker thread, in sync.py) that does
# not reach these, so LD302 leaves them to the one loop that serves them; made at import,
# the waiting ones are still the first loop's. Safe forms stay silent: a lock or semaphore
# (it takes a loop only when contended), a queue made lazily by the coroutine that first
# uses it, on its own loop, and an event only sync code touches.
import asyncio


class NotifyQueue:
    _queue = asyncio.Queue()  # error: LD304 "NotifyQueue._queue" "asyncio.Queue" "get"

    @classmethod
    def put(cls, item: str) -> None:
        cls._queue.put_nowait(item)

    @classmethod
    async def get(cls) -> str:
        return await cls._queue.get()


_changed = asyncio.Event()  # error: LD304 "_changed" "asyncio.Event" "wait_for_change"
_limit = asyncio.Semaphore(4)
_ready = asyncio.Event()


async def wait_for_change() -> None:
    await _changed.wait()
    _changed.clear()


async def fetch(path: str) -> str:
    async with _limit:
        await asyncio.sleep(0)
        return path


def mark_ready() -> None:
    _ready.set()


class LazyQueue:
    _queue: asyncio.Queue | None = None

    @classmethod
    async def get(cls) -> str:
        if cls._queue is None:
            cls._queue = asyncio.Queue()
        return await cls._queue.get()
