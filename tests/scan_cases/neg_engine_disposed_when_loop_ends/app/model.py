# A process-wide async engine per URL, and a sessionmaker over it: the harness that runs
# loops one after another disposes the engine when each loop ends, and SQLAlchemy's engine
# opens a new pool on its next use: the next loop gets fresh connections.
# negative for: LD201
import sqlalchemy.ext.asyncio
from sqlalchemy.ext.asyncio import create_async_engine

_ASYNC_ENGINE: dict[str, sqlalchemy.ext.asyncio.AsyncEngine] = {}
_SESSIONS: dict[str, sqlalchemy.ext.asyncio.async_sessionmaker] = {}
_REPORTING: dict[str, sqlalchemy.ext.asyncio.AsyncEngine] = {}


def get_async_engine(url: str) -> sqlalchemy.ext.asyncio.AsyncEngine:
    if url not in _ASYNC_ENGINE:
        _ASYNC_ENGINE[url] = sqlalchemy.ext.asyncio.create_async_engine(url)
    return _ASYNC_ENGINE[url]


def asession(url: str):
    if url not in _SESSIONS:
        _SESSIONS[url] = sqlalchemy.ext.asyncio.async_sessionmaker(
            bind=get_async_engine(url), expire_on_commit=False)
    return _SESSIONS[url]()


def reporting_engine(url: str):
    if url not in _REPORTING:
        _REPORTING[url] = create_async_engine(url)  # error: LD201 "_REPORTING" "create_async_engine"
    return _REPORTING[url]
