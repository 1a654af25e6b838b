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


_in_flight: dict = {}


async def create_once(name: str, create):
    # the (id(loop), name) entry is removed in the finally of the call that stored it: it
    # lives only while this call runs on its loop, and no later loop finds it: silent
    loop = asyncio.get_running_loop()
    flight_key = (id(loop), name)
    pending = _in_flight.get(flight_key)
    if pending is not None:
        return await asyncio.shield(pending)
    future = loop.create_future()
    _in_flight[flight_key] = future
    try:
        result = await create()
    finally:
        _in_flight.pop(flight_key, None)
    future.set_result(result)
    return result


async def create_once_kept_on_error(name: str, create):
    # removed only when create() succeeds: a failed call leaves the entry (and its future)
    # for a later loop with the same id
    loop = asyncio.get_running_loop()
    flight_key = (id(loop), name)  # error: LD401 "id(loop)"
    pending = _in_flight.get(flight_key)
    if pending is not None:
        return await asyncio.shield(pending)
    future = loop.create_future()
    _in_flight[flight_key] = future
    result = await create()
    _in_flight.pop(flight_key, None)
    future.set_result(result)
    return result
