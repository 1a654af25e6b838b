# The safe form: one lock per event loop, looked up by the running loop.
import asyncio
import sqlite3
import weakref

_locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    if loop not in _locks:
        _locks[loop] = asyncio.Lock()
    return _locks[loop]


def lock_retry(retries: int = 3):
    def decorator(func):
        async def wrapper(*args, **kwargs):
            for attempt in range(retries):
                try:
                    async with _lock():
                        return await func(*args, **kwargs)
                except sqlite3.OperationalError:
                    if attempt == retries - 1:
                        raise
                    await asyncio.sleep(0.5)

        return wrapper

    return decorator


@lock_retry()
async def count_accounts(path: str) -> int:
    await asyncio.sleep(0)
    return len(path)
