# LD502: run_coroutine_threadsafe takes a coroutine; handed a Task (loop.create_task) it
# raises TypeError at once, before .result() can wait, so the loop is never blocked.
# negative for: LD502
import asyncio


async def fetch(key):
    return key


def call_tool(key):
    loop = asyncio.get_running_loop()
    task = loop.create_task(fetch(key))
    return asyncio.run_coroutine_threadsafe(task, loop).result()


def call_tool_future(key):
    loop = asyncio.get_running_loop()
    return asyncio.run_coroutine_threadsafe(asyncio.ensure_future(fetch(key)), loop).result()


def call_coroutine(key):
    loop = asyncio.get_running_loop()
    coro = fetch(key)
    return asyncio.run_coroutine_threadsafe(coro, loop).result()  # error: LD502 "running loop"
