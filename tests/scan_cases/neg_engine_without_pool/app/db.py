# Async engines on NullPool open a connection per session, on the loop that runs the session,
# and keep none between uses: nothing in them is bound to a loop. The pool may be the
# deployment's choice (a setting picks NullPool or a sized pool); only an engine that always
# keeps a pool holds connections of the first loop that used it.
import os

import sqlalchemy
from sqlalchemy import NullPool
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

URL = os.environ.get("DATABASE_URL", "postgresql+asyncpg://localhost/app")

engine_args = {"echo": False}
if os.environ.get("DB_NO_POOL", "1") == "1":
    engine_args["poolclass"] = NullPool
else:
    engine_args.update({"pool_size": 5, "max_overflow": 10})

engine: AsyncEngine = create_async_engine(URL, **engine_args)
sessions = async_sessionmaker(engine, expire_on_commit=False)

audit_engine = create_async_engine(URL, poolclass=sqlalchemy.pool.NullPool)
audit_sessions = async_sessionmaker(bind=audit_engine)

poolclass = None
if URL.startswith("postgresql+asyncpg://"):
    poolclass = NullPool
report_engine = create_async_engine(URL, poolclass=poolclass)
report_sessions = async_sessionmaker(report_engine)

pooled = create_async_engine(URL, pool_size=5)  # error: LD301 "pooled" "create_async_engine"
pooled_sessions = async_sessionmaker(pooled)  # error: LD301 "pooled_sessions" "async_sessionmaker"
