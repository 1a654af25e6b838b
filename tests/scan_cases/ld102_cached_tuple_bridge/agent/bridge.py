import asyncio
import concurrent.futures


def _run_async(coro):
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop and loop.is_running():
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, coro).result(timeout=300)  # error: LD102 "_client_cache" "vision.py"
    return asyncio.run(coro)  # error: LD103 "_run_async" "_client_cache"
