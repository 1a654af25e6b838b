# A worker thread's loop runs a coroutine that only re-registers `connect` as a tool's callback,
# through a sync function: a sync function cannot await a coroutine function it never calls, so
# `connect` runs on the loop that later calls the tool (the program's one loop), not on the
# thread's. Its kept form is ld101_callback_awaited_in_thread.py.
# negative for: LD101, LD201
import asyncio
import threading

import httpx

TOOLS: dict = {}


class Session:
    def __init__(self, url: str):
        self.http = httpx.AsyncClient(base_url=url)

    async def call(self, name: str) -> str:
        return (await self.http.post("/call", json={"name": name})).text


_sessions: dict[str, Session] = {}


async def connect(url: str) -> Session:
    if url not in _sessions:
        _sessions[url] = Session(url)
    return _sessions[url]


def register_tools(connect_fn) -> None:
    TOOLS["connect"] = connect_fn


def _finish_setup() -> None:
    TOOLS.clear()
    register_tools(connect_fn=connect)


async def setup() -> None:
    _finish_setup()


def setup_in_background() -> None:
    threading.Thread(target=lambda: asyncio.run(setup())).start()


async def repl() -> None:
    setup_in_background()
    session = await connect("http://127.0.0.1:8000")
    print(await session.call("time"))


def main() -> None:
    asyncio.run(repl())
