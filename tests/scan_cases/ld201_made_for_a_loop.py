# LD201: an object made for the loop a `loop=` argument names is bound to that loop, whatever
# negative for: LD201
# its class. Kept in a class attribute for every engine, while each engine runs its own loop.
import asyncio
from threading import Thread

from cloudsql import Connector
from media import Track


class Engine:
    _connector = None

    @classmethod
    def create(cls, dsn: str):
        loop = asyncio.new_event_loop()
        Thread(target=loop.run_forever, daemon=True).start()
        return asyncio.run_coroutine_threadsafe(cls._create(dsn), loop).result()

    @classmethod
    async def _create(cls, dsn: str):
        if cls._connector is None:
            cls._connector = Connector(loop=asyncio.get_running_loop())  # error: LD201 "Engine._connector" "Connector"
        return await cls._connector.connect(dsn)


class LoopKeyedEngine:
    _connectors: dict = {}

    @classmethod
    async def _create(cls, dsn: str):
        loop = asyncio.get_running_loop()
        if loop not in cls._connectors:
            cls._connectors[loop] = Connector(loop=loop)  # one per loop: silent
        return await cls._connectors[loop].connect(dsn)


class Player:
    _track = None

    @classmethod
    async def play(cls, path: str):
        if cls._track is None:
            cls._track = Track(path, loop=True)  # a flag, not an event loop: silent
        await cls._track.start()


class SharedLoopEngine:
    _connector = None

    @classmethod
    async def _create(cls, dsn: str, loop: asyncio.AbstractEventLoop):
        if cls._connector is None:
            cls._connector = Connector(loop=loop)  # made for the loop its caller chose: silent
        return await cls._connector.connect(dsn)
