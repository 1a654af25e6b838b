# A command's mutually exclusive entry branches: main() runs one `asyncio.run` per process,
# whichever the command line picks, so the session cache meets one loop. Several loop starts
# reaching a holder are several loops of one process only if one process can run two of them:
# ld201_cli_and_sync_api.py adds a sync API that runs a loop per call.
# negative for: LD201
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
        _sessions[url] = Session(url)
    return _sessions[url]


async def one_shot(prompt: str) -> None:
    print(await (await connect("http://127.0.0.1:8000")).call(prompt))


async def chat() -> None:
    session = await connect("http://127.0.0.1:8000")
    while prompt := input("> "):
        print(await session.call(prompt))


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "-c":
        asyncio.run(one_shot(sys.argv[2]))
        return
    asyncio.run(chat())
