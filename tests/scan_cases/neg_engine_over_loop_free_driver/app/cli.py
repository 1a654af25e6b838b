# Each command runs one asyncio.run; a user runs one after another in the same process (a
# test, a REPL). The aiosqlite engines meet every loop without holding one; the asyncpg engine
# keeps the first loop's connections in its pool.
import asyncio

from sqlalchemy import text

from app.db import engine, from_parts, memory, parsed, server_sessions, sessions


async def create_tables() -> None:
    async with engine.begin() as conn:
        await conn.execute(text("create table if not exists notes (body text)"))


async def count_notes() -> int:
    async with sessions() as session:
        return (await session.execute(text("select count(*) from notes"))).scalar_one()


async def check_copies() -> None:
    for copy in (memory, from_parts, parsed):
        async with copy.connect() as conn:
            await conn.execute(text("select 1"))


async def push_notes() -> None:
    async with server_sessions() as session:
        await session.execute(text("insert into notes select * from local_notes"))


def setup() -> None:
    asyncio.run(create_tables())


def count() -> int:
    return asyncio.run(count_notes())


def check() -> None:
    asyncio.run(check_copies())


def push() -> None:
    asyncio.run(push_notes())  # error: LD103 "push" "server_sessions"
