# negative for: LD501
# A private coroutine that nothing in the project uses is dead code (or a test utility): its
# `asyncio.run` never meets a running loop, so it is not reported. The same helper that a
# coroutine of the project awaits runs inside that loop and raises (reported); so does a
# public one, which the library's users call.
import asyncio


async def fetch(path: str) -> str:
    return path


class Client:
    async def _make_sync(self, coro):
        return asyncio.run(coro)

    async def _run_nested(self, coro):
        return asyncio.run(coro)  # error: LD501 "async def _run_nested"

    async def get(self, path: str) -> str:
        return await self._run_nested(fetch(path))

    async def run_nested(self, coro):
        return asyncio.run(coro)  # error: LD501 "async def run_nested"
