# The loop running the import (when a loop imports the module), taken at module level and used
# only there, to patch that loop. Nothing reads the global afterwards: no later loop, no
# thread, gets it. The kept form is ld301_running_loop_read_later.py.
import asyncio


def task_factory(loop, coro, **kwargs):
    return asyncio.Task(coro, loop=loop, **kwargs)


try:
    loop = asyncio.get_running_loop()
    loop.set_task_factory(task_factory)
except RuntimeError:
    pass
