import asyncio
import concurrent.futures


def run_async(coro):
    """Run a coroutine from sync code, even when a loop is already running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)  # error: LD103 "run_async" "_clients"
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()  # error: LD102 "_clients"


def run_in_thread(coro):
    """The same bridge, with a Thread and a closure."""
    if asyncio._get_running_loop() is None:
        return asyncio.run(coro)  # error: LD103 "run_in_thread" "_clients"
    box = {}

    def runner():
        box["result"] = asyncio.run(coro)  # error: LD102 "_clients"

    import threading

    thread = threading.Thread(target=runner)
    thread.start()
    thread.join()
    return box["result"]
