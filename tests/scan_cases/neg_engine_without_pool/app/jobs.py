# A worker thread runs its own loop over sessions of the NullPool engines: each session opens
# its connection on that loop and closes it there. The pooled engine's sessions keep the
# connections of whichever loop used them first.
import asyncio
import threading

from sqlalchemy import text

from app.db import audit_sessions, pooled_sessions, report_sessions, sessions


async def count_rows() -> int:
    async with sessions() as session:
        return (await session.execute(text("select count(*) from jobs"))).scalar_one()


async def record(event: str) -> None:
    async with audit_sessions() as session:
        await session.execute(text("insert into audit values (:e)"), {"e": event})


async def report() -> None:
    async with report_sessions() as session:
        await session.execute(text("select * from jobs"))


async def archive() -> None:
    async with pooled_sessions() as session:
        await session.execute(text("delete from jobs where done"))


def _work() -> None:
    asyncio.run(count_rows())
    asyncio.run(record("counted"))
    asyncio.run(report())
    asyncio.run(archive())  # error: LD101 "pooled_sessions"


def start_counting() -> threading.Thread:
    worker = threading.Thread(target=_work, daemon=True)
    worker.start()
    return worker
