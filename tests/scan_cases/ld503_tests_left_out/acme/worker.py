# LD503 in the library's own code a worker thread runs, kept; its test module's threads
# (tests/test_worker.py) look the loop up on purpose and are left out.
import asyncio
from concurrent.futures import ThreadPoolExecutor


async def fetch():
    return 1


def refresh():
    loop = asyncio.get_event_loop()  # error: LD503 "worker thread"
    return loop.run_until_complete(fetch())


def refresh_in_background(pool: ThreadPoolExecutor):
    return pool.submit(refresh)
