# The kept form of neg_running_loop_used_at_import.py: a function reads the captured loop
# later, from whatever thread or loop calls it then.
import asyncio


def task_factory(loop, coro, **kwargs):
    return asyncio.Task(coro, loop=loop, **kwargs)


try:
    loop = asyncio.get_running_loop()  # error: LD301 "event loop" "`loop`"
    loop.set_task_factory(task_factory)
except RuntimeError:
    pass


def submit(coro):
    return asyncio.run_coroutine_threadsafe(coro, loop).result()
