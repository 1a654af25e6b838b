# A library's blocking API over `asyncio.get_event_loop().run_until_complete(...)`: a user's
# thread (a WSGI worker, an executor) has no current loop, and a running loop refuses it.
import asyncio
import os


def _make_sync(coro):
    return asyncio.get_event_loop().run_until_complete(coro)  # error: LD505 "_make_sync" "no current event loop"


class Client:
    async def get_async(self, path: str) -> str:
        return path

    def get(self, path: str) -> str:
        return _make_sync(self.get_async(path))


class Feed:
    def __init__(self, client: Client):
        self._client = client
        self._batch: list[str] = []

    def _next_batch(self) -> None:
        self._batch = asyncio.get_event_loop().run_until_complete(self._fetch())  # error: LD505 "_next_batch" "already running"

    async def _fetch(self) -> list[str]:
        return [await self._client.get_async("/feed")]

    def __next__(self) -> str:
        if not self._batch:
            self._next_batch()
        return self._batch.pop()


class WebSocketClient:
    def connect(self) -> None:
        self.loop = asyncio.get_event_loop()  # error: LD505 "connect"
        self.loop.run_until_complete(self.loop.create_connection(asyncio.Protocol, "h", 1))


def main() -> None:
    WebSocketClient().connect()


class BatchProcessor:
    """`asyncio.run` on one branch (outside the platform) leaves the other branch borrowing
    the thread's loop: where the variable is set, a thread with no loop fails."""

    async def _process(self) -> list[str]:
        return []

    def process(self) -> list[str]:
        coro = self._process()
        if os.getenv("LAMBDA_TASK_ROOT"):
            loop = asyncio.get_event_loop()  # error: LD505 "process" "no current event loop"
            return loop.run_until_complete(coro)
        return asyncio.run(coro)


def serve(handler: Client, address: str) -> None:
    """A library's `serve(...)`, called by its users' programs: not itself a program's entry
    (nothing here calls it from one)."""
    loop = asyncio.get_event_loop()  # error: LD505 "serve"
    loop.run_until_complete(handler.get_async(address))
