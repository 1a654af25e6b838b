# A sync wrapper that swallows asyncio.run's "called from a running event loop" error and
# negative for: LD504
# runs the coroutine on the current loop anyway. Asking whether the loop runs, or making a
# loop of its own, is a different (LD102) story.
import asyncio
import concurrent.futures


def run_sync(coro):
    try:
        return asyncio.run(coro)
    except RuntimeError:
        loop = asyncio.get_event_loop()
        return loop.run_until_complete(coro)  # error: LD504 "already running"


def run_sync_inline(coro):
    try:
        return asyncio.run(coro)
    except RuntimeError:
        return asyncio.get_event_loop().run_until_complete(coro)  # error: LD504 "run_until_complete"


def run_sync_checked(coro):
    try:
        return asyncio.run(coro)
    except RuntimeError:
        loop = asyncio.get_event_loop()
        if loop.is_running():
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                return pool.submit(asyncio.run, coro).result()
        return loop.run_until_complete(coro)


def run_sync_own_loop(coro):
    try:
        return asyncio.run(coro)
    except RuntimeError:
        loop = asyncio.new_event_loop()
        return loop.run_until_complete(coro)
