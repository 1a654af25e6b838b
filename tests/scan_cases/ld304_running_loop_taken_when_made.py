# An object that binds to the current loop when made (a grpc.aio channel) and is made in a
# constructor holds whatever loop the thread has where the object is made: LD304 when
# nothing here shows where that is. aiohttp's ClientSession and TCPConnector (3.10 and
# later) take the *running* loop instead: made outside one they raise at once, made inside
# one they belong to it, so without evidence they are not reported (with it, LD303).
# negative for: LD303, LD304
import aiohttp
import grpc


class ChannelStub:
    def __init__(self, target: str) -> None:
        self.channel = grpc.aio.insecure_channel(target)  # error: LD304 "ChannelStub.channel"

    async def call(self, method: str) -> bytes:
        return await self.channel.unary_unary(method)(b"")


class SessionStub:
    def __init__(self, limit: int = 4) -> None:
        self.connector = aiohttp.TCPConnector(limit=limit)
        self.session = aiohttp.ClientSession(connector=self.connector)

    async def get(self, url: str) -> bytes:
        async with self.session.get(url) as response:
            return await response.read()
