# The kept form of neg_cli_entry_branches.py: besides the command's one loop, a sync API runs a
# new loop on every call, so one process (a library user's) meets the session cache on many.
import asyncio
import sys

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


async def one_shot(prompt: str) -> str:
    return await (await connect("http://127.0.0.1:8000")).call(prompt)


def ask(prompt: str) -> str:
    return asyncio.run(one_shot(prompt))  # error: LD103 "ask" "_sessions"


def main() -> None:
    print(asyncio.run(one_shot(sys.argv[1])))
