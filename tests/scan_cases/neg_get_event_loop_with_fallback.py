# negative for: LD505
# A sync API that gives a thread with no loop its own, a loop of its own per call, a program's
# main() (which sets its loop) and the helper only main() calls, and a coroutine handed to a
# loop another thread owns.
import asyncio
import sys


async def fetch() -> int:
    return 1


def make_sync(coro):
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
    return loop.run_until_complete(coro)


def run_once():
    return asyncio.run(fetch())


def own_loop():
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(fetch())
    finally:
        loop.close()


def _serve() -> None:
    asyncio.get_event_loop().run_until_complete(fetch())


def main() -> None:
    asyncio.set_event_loop(asyncio.new_event_loop())  # (without it, Python 3.14 refuses)
    asyncio.get_event_loop().run_until_complete(fetch())
    _serve()
    serve()


def submit(loop: asyncio.AbstractEventLoop) -> int:
    return asyncio.run_coroutine_threadsafe(fetch(), loop).result()


def _util_run(coro):
    """A private helper nothing in the project calls: a test utility."""
    return asyncio.get_event_loop().run_until_complete(coro)


def close_quietly(coro) -> None:
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        return  # no loop in this thread: nothing to close
    loop.run_until_complete(coro)


def run_by_version(coro):
    """`asyncio.run` where the Python version has it: the other branch runs only before 3.7."""
    if sys.version_info >= (3, 7):
        return asyncio.run(coro)
    return asyncio.get_event_loop().run_until_complete(coro)


def run_by_feature(coro):
    if not hasattr(asyncio, "run"):
        return asyncio.get_event_loop().run_until_complete(coro)
    return asyncio.run(coro)


def run_anywhere(coro):
    """`get_event_loop()` only once `get_running_loop()` found one (nest_asyncio lets it
    nest); `asyncio.run` where none runs."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop and loop.is_running():
        return asyncio.get_event_loop().run_until_complete(coro)
    return asyncio.run(coro)


def serve() -> None:
    """A program's serve(), which only its main() calls: the program's one loop."""
    asyncio.get_event_loop().run_until_complete(fetch())
