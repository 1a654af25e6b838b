# negative for: LD201, LD103
# A pool keyed by the running task: each entry is made in the task that asks for it and
# deleted again in that task's `finally` (the exit of an async context manager) or in the
# class's `__aexit__`. A task runs on one loop, so no entry meets a second loop, even when the
# manager lives at module level and each call of the sync helper runs a new loop. An entry the
# task closes but leaves in the pool, or never removes, outlives its task (and `id()` of a dead
# task is reused): one connection for every loop (reported).
import asyncio
from contextlib import asynccontextmanager

import aiohttp
import aiosqlite


class DatabaseManager:
    def __init__(self) -> None:
        self.pool: dict[int, aiosqlite.Connection] = {}

    @asynccontextmanager
    async def connection(self):
        task_id = id(asyncio.current_task())
        try:
            if task_id not in self.pool:
                self.pool[task_id] = await aiosqlite.connect("cache.db")
            yield self.pool[task_id]
        finally:
            if task_id in self.pool:
                await self.pool[task_id].close()
                del self.pool[task_id]


class SessionsPerTask:
    def __init__(self) -> None:
        self.sessions: dict = {}

    async def fetch(self, url: str) -> bytes:
        task = asyncio.current_task()
        self.sessions[task] = aiohttp.ClientSession()
        try:
            async with self.sessions[task].get(url) as response:
                return await response.read()
        finally:
            await self.sessions.pop(task).close()


class LeakyPool:
    def __init__(self) -> None:
        self.pool: dict[int, aiosqlite.Connection] = {}

    async def connection(self) -> aiosqlite.Connection:
        task_id = id(asyncio.current_task())
        try:
            self.pool[task_id] = await aiosqlite.connect("cache.db")  # error: LD201 "LeakyPool.pool" "connect"
            return self.pool[task_id]
        finally:
            await self.pool[task_id].close()


db = DatabaseManager()
per_task = SessionsPerTask()
leaky = LeakyPool()


async def count_rows() -> int:
    async with db.connection() as conn:
        async with conn.execute("SELECT count(*) FROM pages") as cursor:
            return (await cursor.fetchone())[0]


async def download(url: str) -> bytes:
    return await per_task.fetch(url)


async def leaky_count() -> int:
    conn = await leaky.connection()
    return await conn.execute("SELECT 1")


def rows() -> int:
    return asyncio.run(count_rows())


def download_sync(url: str) -> bytes:
    return asyncio.run(download(url))


def leaky_rows() -> int:
    return asyncio.run(leaky_count())  # error: LD103 "leaky_rows" "LeakyPool.pool"


class TaskSession:
    """`async with TaskSession()`: the entry is made on enter and removed on exit."""

    sessions: dict = {}

    async def __aenter__(self) -> aiohttp.ClientSession:
        task = asyncio.current_task()
        TaskSession.sessions[task] = aiohttp.ClientSession()
        return TaskSession.sessions[task]

    async def __aexit__(self, *exc: object) -> None:
        await TaskSession.sessions.pop(asyncio.current_task()).close()


async def fetch_in_context(url: str) -> bytes:
    async with TaskSession() as session, session.get(url) as response:
        return await response.read()


def fetch_sync(url: str) -> bytes:
    return asyncio.run(fetch_in_context(url))
