# An async engine over aiosqlite binds no loop: each connection runs in a thread of its own and
# every call's future is made on the loop that awaits it, so one module-level engine serves one
# asyncio.run after another. The driver is read from the URL when this module spells it (a
# literal, an f-string, a name assigned such a URL, make_url or URL.create); an engine over a
# driver whose connections belong to the loop that opened them (asyncpg) is still reported.
from pathlib import Path

from sqlalchemy import URL, make_url
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

DB_FILE = Path.home() / ".app" / "app.sqlite"
SQLITE_URL = f"sqlite+aiosqlite:///{DB_FILE}"

engine = create_async_engine(SQLITE_URL)
sessions = async_sessionmaker(engine, expire_on_commit=False)
memory = create_async_engine("sqlite+aiosqlite://")
from_parts = create_async_engine(URL.create("sqlite+aiosqlite", database=str(DB_FILE)))
parsed = create_async_engine(make_url("sqlite+aiosqlite:///" + str(DB_FILE)))

server = create_async_engine("postgresql+asyncpg://localhost/app")  # error: LD301 "server" "create_async_engine"
server_sessions = async_sessionmaker(server)  # error: LD301 "server_sessions" "async_sessionmaker"
