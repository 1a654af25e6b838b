# LD502: run_coroutine_threadsafe takes a coroutine; handed a Task (loop.create_task) or a
# function (the factory itself, not factory()) it raises TypeError at once, before .result()
# can wait, so the loop is never blocked.
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


def build(factory):
    if asyncio.iscoroutinefunction(factory):
        try:
            loop = asyncio.get_running_loop()
            return asyncio.run_coroutine_threadsafe(factory, loop).result()
        except RuntimeError:
            return asyncio.run(factory())
    return factory()


def build_from_function():
    loop = asyncio.get_running_loop()
    return asyncio.run_coroutine_threadsafe(fetch, loop).result()


def call_coroutine(key):
    loop = asyncio.get_running_loop()
    coro = fetch(key)
    return asyncio.run_coroutine_threadsafe(coro, loop).result()  # error: LD502 "running loop"
