# The kept form of neg_callback_registered_in_thread.py: the thread's coroutine hands `connect`
# to a coroutine that awaits it, so the session cache meets the thread's loop and the program's.
import asyncio
import threading

import httpx


class Session:
    def __init__(self, url: str):
        self.http = httpx.AsyncClient(base_url=url)

    async def call(self, name: str) -> str:
        return (await self.http.post("/call", json={"name": name})).text


_sessions: dict[str, Session] = {}


async def connect(url: str) -> Session:
    if url not in _sessions:
        _sessions[url] = Session(url)  # error: LD201 "_sessions"
    return _sessions[url]


async def warm_up(connect_fn) -> None:
    await connect_fn("http://127.0.0.1:8000")


async def setup() -> None:
    await warm_up(connect)


def setup_in_background() -> None:
    threading.Thread(target=lambda: asyncio.run(setup())).start()  # error: LD101 "_sessions"


async def repl() -> None:
    setup_in_background()
    session = await connect("http://127.0.0.1:8000")
    print(await session.call("time"))


def main() -> None:
    asyncio.run(repl())
