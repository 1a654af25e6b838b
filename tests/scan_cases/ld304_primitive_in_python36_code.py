# Code of the Python 3.4-3.6 era that names `asyncio.async` (a keyword since 3.7) is parsed
# with Python 3.6's grammar, so its findings are not lost to a syntax error: a client made in
# sync code keeps the loop it is given but makes its Event without it, so up to Python 3.9 the
# Event binds the thread's default loop while the client's coroutines wait on it from its
# own loop. Safe form: the Event made with the loop the client keeps.
import asyncio
import sys

if sys.version_info < (3, 5):
    from asyncio import async as ensure_future
else:
    from asyncio import ensure_future


class Client:
    def __init__(self, loop=None):
        self._loop = loop if loop is not None else asyncio.new_event_loop()
        self._connected = asyncio.Event()  # error: LD303 "__init__" "asyncio.Event" "_connected" "main"

    async def connected(self):
        await self._connected.wait()

    def start(self):
        return ensure_future(self.connected(), loop=self._loop)


class SafeClient:
    def __init__(self, loop=None):
        self._loop = loop if loop is not None else asyncio.new_event_loop()
        self._connected = asyncio.Event(loop=self._loop)

    async def connected(self):
        await self._connected.wait()


def main():
    client = Client()
    safe = SafeClient()
    loop = asyncio.new_event_loop()
    loop.run_until_complete(client.connected())
    loop.run_until_complete(safe.connected())
