# A sync function (a CLI command, main) makes an object whose constructor makes an asyncio
# primitive, then starts a new loop itself with asyncio.run (also in the same statement:
# asyncio.run(Peripheral().run())): that function cannot run inside a running loop, and up to
# Python 3.9 the primitive took the thread's current loop when made, never the one
# asyncio.run makes and runs its waiters on ("attached to a different loop"). Safe forms: the
# object made inside the coroutine asyncio.run runs, and one whose coroutine makes the
# primitive again on its own loop before waiting (reported only by the preview LD304).
# negative for: LD303
import asyncio


class Peripheral:
    def __init__(self, transport):
        self.transport = transport
        self.connected = asyncio.Event()  # error: LD303 "__init__" "asyncio.Event" "asyncio.run"

    async def run(self):
        await self.connected.wait()


class Loopback:
    def __init__(self, count):
        self.count = count
        self.done = asyncio.Queue()  # error: LD303 "__init__" "asyncio.Queue" "done" "main"

    async def run(self):
        await self.done.get()


class Worker:
    def __init__(self):
        self.event = asyncio.Event()  # error: LD304 "__init__" "asyncio.Event" "event"

    async def start(self):
        self.event = asyncio.Event()
        await self.event.wait()


class Inside:
    def __init__(self):
        self.ready = asyncio.Event()

    async def run(self):
        await self.ready.wait()


def peripheral(transport):
    asyncio.run(
        Peripheral(transport).run()
    )


def main(count):
    loopback = Loopback(count)
    asyncio.run(loopback.run())


def work():
    worker = Worker()
    asyncio.run(worker.start())


async def run_inside():
    await Inside().run()


def main_inside():
    asyncio.run(run_inside())
