# LD401: id(loop) in cache keys.
# negative for: LD401
import asyncio

from openai import AsyncOpenAI

_clients: dict = {}


def get_client(model: str) -> AsyncOpenAI:
    key = (model, id(asyncio.get_running_loop()))  # error: LD401
    if key not in _clients:
        _clients[key] = AsyncOpenAI()
    return _clients[key]


def get_client_inline() -> AsyncOpenAI:
    loop = asyncio.get_running_loop()
    return _clients.setdefault(id(loop), AsyncOpenAI())  # error: LD401


def log_loop() -> None:
    loop = asyncio.get_running_loop()
    print(f"running on loop {id(loop):#x}")  # logging an id is not a key: silent
