# A sync method that waits on `run_coroutine_threadsafe(coro, self._loop).result()`, where
# `self._loop` is the loop the object took (the one its maker runs), deadlocks when a
# coroutine of the same object calls it: that coroutine runs on `self._loop`, which is now
# blocked. A loop the object made for a thread of its own (a portal), a call handed to a
# worker thread, or a caller that is sync code is fine.
# negative for: LD502
import asyncio
import threading


class Connection:
    async def connect(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def _query(self, sql: str) -> list:
        return [sql]

    def query(self, sql: str) -> list:
        return asyncio.run_coroutine_threadsafe(self._query(sql), self._loop).result()  # error: LD502 "query" "refresh" "deadlock"

    async def refresh(self) -> list:
        return self.query("select 1")

    async def refresh_in_thread(self) -> list:
        return await asyncio.to_thread(self.query, "select 1")


class Portal:
    def __init__(self):
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, daemon=True).start()

    async def _call(self) -> int:
        return 1

    def call(self) -> int:
        return asyncio.run_coroutine_threadsafe(self._call(), self._loop).result()

    async def handler(self) -> int:
        return self.call()


class ThreadPortal:
    def __init__(self):
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        self._loop = asyncio.get_event_loop()
        self._loop.run_forever()

    async def _ping(self, n: int) -> int:
        return n

    def ping(self, n: int) -> int:
        future = asyncio.run_coroutine_threadsafe(self._ping(n), self._loop)
        return future.result(timeout=5)

    async def on_message(self, n: int) -> int:
        return self.ping(n) + 1


class SyncCallers:
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def _get(self) -> int:
        return 1

    def get(self) -> int:
        return asyncio.run_coroutine_threadsafe(self._get(), self._loop).result()

    def report(self) -> int:
        return self.get()
