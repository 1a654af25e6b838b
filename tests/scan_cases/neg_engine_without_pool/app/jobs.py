# A worker thread runs its own loop over sessions of the NullPool engines: each session opens
# its connection on that loop and closes it there.
import asyncio
import threading

from sqlalchemy import text

from app.db import audit_sessions, sessions


async def count_rows() -> int:
    async with sessions() as session:
        return (await session.execute(text("select count(*) from jobs"))).scalar_one()


async def record(event: str) -> None:
    async with audit_sessions() as session:
        await session.execute(text("insert into audit values (:e)"), {"e": event})


def _work() -> None:
    asyncio.run(count_rows())
    asyncio.run(record("counted"))


def start_counting() -> threading.Thread:
    worker = threading.Thread(target=_work, daemon=True)
    worker.start()
    return worker
