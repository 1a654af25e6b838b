# A constructor that takes the loop its caller gives and the current loop only when given
# none, in any spelling (`loop or get_event_loop()`, `if loop is None: loop = ...`, an
# `if`/`else` on the parameter), and passes it to every part it makes (by keyword or by
# position): the caller chooses the loop, as with asyncio's own primitives up to Python 3.9.
# Nothing to report unless a caller that passes no loop is seen making one outside a loop.
# negative for: LD303, LD304
import asyncio


class Dispatcher:
    def __init__(self, name, loop=None):
        if loop is not None:
            self._loop = loop
        else:
            self._loop = asyncio.get_event_loop()
        self.name = name

    def fire(self, coro):
        return asyncio.ensure_future(coro, loop=self._loop)


class DatagramTransport:
    def __init__(self, sock=None, loop=None):
        if loop is None:
            loop = asyncio.get_event_loop()
        self.loop = loop
        self.sock = sock

    def open(self, address):
        return self.loop.create_datagram_endpoint(asyncio.DatagramProtocol, local_addr=address)


class ConnectionPool:
    def __init__(self, size, loop=None):
        self.loop = loop or asyncio.get_event_loop()
        self.size = size
        self._lock = asyncio.Lock(loop=self.loop)
        self._ready = asyncio.Event(loop=self.loop)
        self.dispatcher = Dispatcher("pool", self.loop)

    async def acquire(self):
        await self._ready.wait()
        async with self._lock:
            return await self.loop.create_connection(asyncio.Protocol, "example.org", 443)


class Broker:
    def __init__(self, config, loop=None):
        self._loop = loop if loop is not None else asyncio.get_event_loop()  # error: LD303 "Broker._loop" "made outside a running loop"
        self.config = config


def publish(config):
    loop = asyncio.new_event_loop()
    pool = ConnectionPool(4, loop=loop)
    loop.run_until_complete(pool.acquire())


def serve(config):
    broker = Broker(config)
    asyncio.run(serve_forever(broker))


async def serve_forever(broker):
    await asyncio.sleep(0)
