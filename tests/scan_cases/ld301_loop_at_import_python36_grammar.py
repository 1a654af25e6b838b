# Code written for Python 3.6 or older, where `async` was still a name (`asyncio.async(...)`,
# a syntax error since 3.7), is parsed with that grammar rather than dropped as unparsable:
# its module-level loop, taken at import and used by every transport, is reported. The safe
# form takes the running loop where it is used.
# negative for: LD301
import asyncio

loop = asyncio.get_event_loop()  # error: LD301 "captured at import time" "loop"


class Transport:
    def open(self, factory):
        return asyncio.async(loop.create_datagram_endpoint(factory, local_addr=("", 0)))


class SafeTransport:
    async def open(self, factory):
        running = asyncio.get_running_loop()
        return await running.create_datagram_endpoint(factory, local_addr=("", 0))
