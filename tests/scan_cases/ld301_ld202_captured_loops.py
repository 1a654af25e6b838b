# An event loop captured once: at import, as a default argument, or by a cached function.
# negative for: LD301, LD202
# Every later caller, in any thread, gets that loop (closed after an asyncio.run, or the
# wrong thread's). A loop the module makes and runs in its own thread (a portal), and the
# running loop kept by an object made inside it, are fine, and so is a loop taken at import
# and used there once (to set its task factory), which no function reads later.
import asyncio
import functools
import threading

loop = asyncio.get_event_loop()  # error: LD301 "event loop" "`loop`"

try:
    _importing_loop = asyncio.get_running_loop()
    _importing_loop.set_debug(True)
except RuntimeError:
    pass

_portal_loop = asyncio.new_event_loop()
threading.Thread(target=_portal_loop.run_forever, daemon=True).start()


class Client:
    def __init__(self, url, loop=asyncio.get_event_loop()):  # error: LD301 "event loop" "`loop`"
        self.url = url
        self.loop = loop


class Worker:
    def __init__(self):
        self._loop = asyncio.get_running_loop()


@functools.cache
def get_loop():  # error: LD202 "get_loop" "event loop"
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        new = asyncio.new_event_loop()
        asyncio.set_event_loop(new)
        return new


def submit(coro):
    return asyncio.run_coroutine_threadsafe(coro, _portal_loop).result()


def run(coro):
    return loop.run_until_complete(coro)
