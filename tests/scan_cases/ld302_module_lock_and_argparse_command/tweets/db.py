# A library's module-level lock, held across an await by every database call. The library's
# own command (cli.py) parses the command line and runs one loop per process: that loop is
# the program's, not a second one, so the lock is left to the users' loops, which may be
# several (a loop per test, one per thread): it binds to the first that contends for it.
import asyncio
import sqlite3

_lock = asyncio.Lock()  # error: LD302 "_lock" "wrapper"


def lock_retry(retries: int = 3):
    def decorator(func):
        async def wrapper(*args, **kwargs):
            for attempt in range(retries):
                try:
                    async with _lock:
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
