# A bridge that carries contextvars into the worker thread: ctx.run(asyncio.run, coro).
import asyncio
import concurrent.futures
import contextvars


def call_sync(coro):
    try:
        asyncio.get_running_loop()
        inside_loop = True
    except RuntimeError:
        inside_loop = False
    if inside_loop:
        ctx = contextvars.copy_context()
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(ctx.run, asyncio.run, coro).result()  # error: LD102 "Completion._client"
    return asyncio.run(coro)  # error: LD103 "call_sync" "Completion._client"
