# LD102/LD103: a client handed down through keyword-only constructor arguments, reached by the
# negative for: LD102, LD103
# closures a method registers, which call the object through another name for `self`.
import asyncio
import concurrent.futures

import httpx


class AuditSink:
    def __init__(self, *, client: httpx.AsyncClient | None = None):
        self._client = client

    async def emit(self, event: dict):
        await self._client.post("/events", json=event)


class Guard:
    def __init__(self, *, sink: AuditSink | None = None):
        self.sink = sink or AuditSink()

    @classmethod
    def from_server(cls, url: str) -> "Guard":
        return cls(sink=AuditSink(client=httpx.AsyncClient(base_url=url)))


class Adapter:
    def __init__(self, guard: Guard):
        self._guard = guard

    async def _before(self, tool: str):
        await self._guard.sink.emit({"tool": tool})

    def register(self, hooks: list):
        adapter = self

        def run(coro):
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                return asyncio.run(coro)  # error: LD103 "`run`" "AuditSink._client"
            with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
                return pool.submit(asyncio.run, coro).result()  # error: LD102 "AuditSink._client"

        def before(tool: str):
            return run(adapter._before(tool))

        hooks.append(before)


class OwnClientAdapter:
    def run_once(self, tool: str):
        return asyncio.run(self._emit(tool))  # a client per run, closed by its owner: silent

    async def _emit(self, tool: str):
        async with httpx.AsyncClient() as client:
            await AuditSink(client=client).emit({"tool": tool})
