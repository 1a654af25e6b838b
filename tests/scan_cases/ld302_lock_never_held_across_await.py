# LD302: an asyncio.Lock binds to a loop only when a task has to wait for it, and a task of
# the same loop can find it held only if its holder suspends inside. A lock whose every holder
# runs its critical section without an await is never waited on: silent. One holder that
# awaits inside is enough for the lock to be contended, so it is reported.
# negative for: LD302
import asyncio

_index_lock = asyncio.Lock()
_counts: dict[str, int] = {}
_busy_lock = asyncio.Lock()  # error: LD302 "asyncio.Lock" "_busy_lock"
_outer_lock = asyncio.Lock()  # error: LD302 "asyncio.Lock" "_outer_lock"


async def next_index(key: str) -> int:
    async with _index_lock:
        _counts[key] = _counts.get(key, 0) + 1
        return _counts[key]


async def reset(key: str) -> None:
    async with _index_lock:
        _counts.pop(key, None)


async def nested(key: str) -> None:
    # the first lock is held while the second is entered: a suspension point inside it
    async with _outer_lock, _index_lock:
        _counts[key] = 1


async def count(key: str) -> int:
    async with _busy_lock:
        return _counts.get(key, 0)


async def refresh(key: str) -> None:
    async with _busy_lock:
        await asyncio.sleep(0)
        _counts[key] = 0


class Registry:
    _lock = asyncio.Lock()
    _held = asyncio.Lock()  # error: LD302 "asyncio.Lock" "_held"
    _items: dict[str, object] = {}

    @classmethod
    async def add(cls, name: str, item: object) -> None:
        async with cls._lock:
            cls._items[name] = item

    @classmethod
    async def take(cls, name: str) -> object:
        async with cls._held:
            while name not in cls._items:
                await asyncio.sleep(0.1)
            return cls._items.pop(name)

    @classmethod
    async def peek(cls) -> bool:
        return cls._held.locked()
