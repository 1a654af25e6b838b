# LD501-LD503: nested and self-blocking loops, loops looked up in worker threads.
# negative for: LD502, LD503
import asyncio
from concurrent.futures import ThreadPoolExecutor


async def fetch():
    return 1


async def handler():
    return asyncio.run(fetch())  # error: LD501 "async def handler"


async def handler_loop():
    loop = asyncio.new_event_loop()
    return loop.run_until_complete(fetch())  # error: LD501 "async def handler_loop"


def sync_from_callback():
    loop = asyncio.get_event_loop()
    future = asyncio.run_coroutine_threadsafe(fetch(), loop)
    return future.result()  # noqa: E501  # error: LD502 "running loop"


def blocks_inline():
    return asyncio.run_coroutine_threadsafe(fetch(), asyncio.get_running_loop()).result()  # noqa: E501  # error: LD502 "running loop"


class Portal:
    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop

    def call(self):
        # a different loop, owned by another thread: the portal pattern, silent
        return asyncio.run_coroutine_threadsafe(fetch(), self.loop).result()


def in_thread():
    loop = asyncio.get_event_loop()  # error: LD503 "worker thread"
    return loop


def in_thread_with_own_loop():
    asyncio.set_event_loop(asyncio.new_event_loop())
    return asyncio.get_event_loop()  # set first: silent


def start():
    with ThreadPoolExecutor() as pool:
        pool.submit(in_thread)
        pool.submit(in_thread_with_own_loop)


class Settings:
    """Loads its remote part synchronously with the thread's loop: fine from sync code, but a
    coroutine makes one, and then that loop is the running one."""

    def __init__(self):
        self.remote = asyncio.get_event_loop().run_until_complete(fetch())  # error: LD501 "Settings" "async def app_startup"


class SyncOnlyConfig:
    def __init__(self):
        self.remote = asyncio.get_event_loop().run_until_complete(fetch())  # only sync code makes one


async def app_startup():
    return Settings()


def cli():
    return SyncOnlyConfig()
