# LD502: a sync helper that refuses its own running loop before it waits never blocks it.
# negative for: LD502
import asyncio


def run_sync(awaitable, timeout=None):
    # get_running_loop() succeeded, so loop is the running loop, the check below is true and
    # raises: the wait after it is never reached on this loop; silent
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(awaitable)
    if loop.is_running() and loop == asyncio.get_running_loop():
        raise RuntimeError("called from inside the event loop's thread; would deadlock")
    future = asyncio.run_coroutine_threadsafe(awaitable, loop)
    return future.result(timeout=timeout)


def run_sync_warns(awaitable, timeout=None):
    # the same check only logs, then waits on the running loop anyway
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(awaitable)
    if loop is asyncio.get_running_loop():
        print("waiting on the running loop")
    future = asyncio.run_coroutine_threadsafe(awaitable, loop)
    return future.result(timeout=timeout)  # error: LD502 "running loop"


def run_sync_other_check(awaitable, timeout=None):
    # a check that is not about this loop leaves the wait on it
    loop = asyncio.get_running_loop()
    if timeout is not None and timeout < 0:
        raise ValueError("timeout")
    return asyncio.run_coroutine_threadsafe(awaitable, loop).result(timeout)  # error: LD502 "running loop"
