# A coroutine that hands a self-contained loop to a thread is not a nested loop.
# negative for: LD101, LD501
import asyncio


async def fetch():
    return 1


async def handler():
    loop = asyncio.get_running_loop()
    first = await loop.run_in_executor(None, lambda: asyncio.run(fetch()))
    second = await asyncio.to_thread(asyncio.run, fetch())
    return first + second
