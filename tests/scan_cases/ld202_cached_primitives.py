# LD202: a module-level cached function that returns an asyncio primitive: one lock for the
# whole process, bound to the first loop that waits on it.
# negative for: LD202
import asyncio
from asyncio import Lock
from functools import cache, lru_cache
from weakref import WeakValueDictionary


@lru_cache(maxsize=1024)
def lock_for(_: int, key: str) -> Lock:  # error: LD202 "@lru_cache" "lock_for" "asyncio.Lock"
    return Lock()


@cache
def ready_event():  # error: LD202 "@cache" "ready_event" "asyncio.Event"
    event = asyncio.Event()
    return event


@lru_cache
def lock_for_loop(loop: asyncio.AbstractEventLoop, key: str) -> asyncio.Lock:  # keyed by loop
    return asyncio.Lock()


@lru_cache
def limits(name: str) -> int:  # not a primitive
    return len(name)


class Session:
    def __init__(self) -> None:
        self._locks: WeakValueDictionary[str, Lock] = WeakValueDictionary()

    def _lock(self, key: str) -> Lock:  # one per session and key, not cached process-wide
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = Lock()
        return lock

    @cache
    def _gate(self) -> asyncio.Semaphore:  # a method's cache holds one per instance
        return asyncio.Semaphore(4)

    async def request(self, key: str) -> str:
        async with lock_for(id(self), key), self._lock(key), self._gate():
            await ready_event().wait()
            return key
