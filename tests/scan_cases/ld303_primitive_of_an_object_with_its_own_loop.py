# An object that runs a new event loop of its own (a thread whose run() is asyncio.run, or a
# new_event_loop() it keeps and runs with run_until_complete) makes an asyncio primitive in
# its constructor: up to Python 3.9 the primitive takes the constructing thread's current loop
# when made, and wherever the object is made, that is never the loop the object then runs its
# waiters on ("attached to a different loop"). Safe forms stay silent: the primitive made in
# the coroutine its own loop runs, given that loop explicitly, made after the constructor set
# its new loop as the current one, and an object that runs a loop it is given.
# negative for: LD303, LD304
import asyncio
import threading


class BleThread(threading.Thread):
    def __init__(self, address):
        super().__init__()
        self.address = address
        self.outbox = asyncio.Queue()  # error: LD303 "__init__" "asyncio.Queue" "outbox" "run"
        self.loop = None

    def run(self):
        asyncio.run(self.main())

    async def main(self):
        self.loop = asyncio.get_running_loop()
        while (data := await self.outbox.get()) is not None:
            print(self.address, data)


class Connection:
    def __init__(self, mac):
        self.mac = mac
        self.notified = asyncio.Event()  # error: LD303 "__init__" "asyncio.Event" "notified"
        self.loop = asyncio.new_event_loop()

    async def _request(self):
        await self.notified.wait()

    def request(self):
        return self.loop.run_until_complete(self._request())


class SafeThread(threading.Thread):
    def __init__(self):
        super().__init__()
        self.outbox = None

    def run(self):
        asyncio.run(self.main())

    async def main(self):
        self.outbox = asyncio.Queue()
        print(await self.outbox.get())


class SafeConnectionGivenItsLoop:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.notified = asyncio.Event(loop=self.loop)  # Python < 3.10 only

    async def _request(self):
        await self.notified.wait()

    def request(self):
        return self.loop.run_until_complete(self._request())


class SafeConnectionSetsItsLoop:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.notified = asyncio.Event()

    async def _request(self):
        await self.notified.wait()

    def request(self):
        return self.loop.run_until_complete(self._request())


class SafeRunnerOfTheLoopItIsGiven:
    def __init__(self, loop):
        self.loop = loop
        self.notified = asyncio.Event()

    async def _request(self):
        await self.notified.wait()

    def request(self):
        return self.loop.run_until_complete(self._request())
