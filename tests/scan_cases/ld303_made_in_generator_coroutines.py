# Code written before `async def` (Python 3.4 style, still run by loops up to Python 3.10): a
# generator decorated `@asyncio.coroutine` is a coroutine function, so the `Server` it makes
# keeps the running loop that then uses it: silent, as when `async def` makes it. The same
# class made by a plain sync method that sync code calls keeps whatever loop the thread has
# (LD303).
import asyncio


class Server:
    def __init__(self, loop=None):
        if loop is not None:
            self._loop = loop
        else:
            self._loop = asyncio.get_event_loop()

    def run(self):
        return self._loop.run_until_complete(asyncio.sleep(0))


class Broker:
    def __init__(self):
        self.servers = []

    @asyncio.coroutine
    def start(self):
        yield from asyncio.sleep(0)
        self.servers.append(Server())


class Listener:
    def __init__(self, loop=None):
        if loop is not None:
            self._loop = loop
        else:
            self._loop = asyncio.get_event_loop()  # error: LD303 "get_event_loop"

    def run(self):
        return self._loop.run_until_complete(asyncio.sleep(0))


class SyncBroker:
    def __init__(self):
        self.listeners = []

    def start(self):
        self.listeners.append(Listener())


def serve():
    SyncBroker().start()
