# A program's top level that the user ends with Ctrl-C: `try: asyncio.run(...) except
# KeyboardInterrupt: pass` around the loop (each branch one loop) ends the process with it, so it
# runs once per process, like main(). Its kept forms are ld103_loop_reraises_interrupt.py and
# ld103_method_ends_on_interrupt.py (a method: its object outlives the call).
# negative for: LD103, LD201
import asyncio

from openai import AsyncOpenAI

_clients: dict[str, AsyncOpenAI] = {}


async def ask(prompt: str) -> str:
    client = _clients.get("default")
    if client is None:
        client = _clients["default"] = AsyncOpenAI()
    return str(await client.responses.create(model="m", input=prompt))


def start(command: str | None = None) -> None:
    try:
        if command:
            asyncio.run(ask(command))
        else:
            asyncio.run(ask("hello"))
    except (KeyboardInterrupt, SystemExit):
        pass
