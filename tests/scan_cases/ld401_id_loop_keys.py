# LD401: id(loop) in cache keys.
# negative for: LD401
# negative for: LD401
import asyncio

from openai import AsyncOpenAI

_clients: dict = {}


def get_client(model: str) -> AsyncOpenAI:
    key = (model, id(asyncio.get_running_loop()))  # error: LD401 "id(loop)"
    if key not in _clients:
        _clients[key] = AsyncOpenAI()
    return _clients[key]


def get_client_inline() -> AsyncOpenAI:
    loop = asyncio.get_running_loop()
    return _clients.setdefault(id(loop), AsyncOpenAI())  # error: LD401 "id(loop)"


def log_loop() -> None:
    loop = asyncio.get_running_loop()
    print(f"running on loop {id(loop):#x}")  # logging an id is not a key: silent


def snapshot(loops):
    # a dict local to one call, keyed by id(loop) for a diagnostic: not a cache, silent
    first = {id(loop): loop.is_running() for loop in loops}
    return [first[id(loop)] for loop in loops]


class PerLoopClients:
    def __init__(self):
        self._clients = {}

    def get(self):
        loop = asyncio.get_running_loop()
        if id(loop) not in self._clients:  # error: LD401 "id(loop)"
            self._clients[id(loop)] = AsyncOpenAI()  # error: LD401 "id(loop)"
        return self._clients[id(loop)]  # error: LD401 "id(loop)"


_entries: dict = {}


def get_checked(name: str):
    # the entry keeps the loop beside the value and is used only if it is this very loop:
    # a reused id finds another loop object and is rebuilt, silent
    loop = asyncio.get_running_loop()
    key = id(loop)
    entry = _entries.get(key)
    if entry is None or entry[0] is not loop:
        entry = (loop, {})
        _entries[key] = entry
    return entry[1].setdefault(name, AsyncOpenAI())


def get_for(loop=None):
    if loop is None:  # a test against None does not check the cached entry's loop
        loop = asyncio.get_running_loop()
    return _clients.setdefault(id(loop), AsyncOpenAI())  # error: LD401 "id(loop)"
