# A parameter may be a tracer that owns an async client or plain settings; the settings are
# stored only where ``isinstance(.., Tracer)`` was false, so that attribute never holds the
# tracer (or its client) and running the agent in a fresh loop per call shares nothing.
import asyncio
from typing import Union

import httpx


class Tracer:
    def __init__(self) -> None:
        self.http = httpx.AsyncClient()

    async def send(self) -> None:
        await self.http.post("/spans")


class Settings:
    def __init__(self, level: int = 0) -> None:
        self.level = level


def resolve(instrument: Union[bool, Tracer, Settings, None]):
    settings = None
    if instrument is True:
        settings = Settings()
    elif isinstance(instrument, Tracer):
        settings = Settings(1)
    elif instrument:
        settings = instrument
    return settings


class Agent:
    def __init__(self, instrument: Union[bool, Tracer, Settings, None] = None) -> None:
        self._settings = resolve(instrument)

    async def arun(self) -> int:
        await asyncio.sleep(0)
        return self._settings.level

    def run(self) -> int:
        return asyncio.run(self.arun())
