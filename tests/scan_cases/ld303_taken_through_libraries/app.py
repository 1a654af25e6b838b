import asyncio

from .queues import CapturedLoop, Publisher


class Peer:
    def __init__(self, name: str):
        self.name = name
        self.connected = asyncio.Event()  # error: LD303 "asyncio.Event" "serve" "asyncio.run"

    async def run(self) -> None:
        await self.connected.wait()


def serve(name: str) -> None:
    asyncio.run(Peer(name).run())


publisher = Publisher("localhost:9092")
captured = CapturedLoop()
