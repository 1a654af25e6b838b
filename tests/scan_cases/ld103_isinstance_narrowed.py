# The same union parameter, but the branch where ``isinstance(.., Tracer)`` is true stores the
# tracer itself: every per-call loop then reuses the tracer's one client.
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
    tracer = None
    if isinstance(instrument, Tracer):
        tracer = instrument
    return tracer


class Agent:
    def __init__(self, instrument: Union[bool, Tracer, Settings, None] = None) -> None:
        self._tracer = resolve(instrument)

    async def arun(self) -> None:
        await self._tracer.send()

    def run(self) -> None:
        return asyncio.run(self.arun())  # error: LD103 "Agent._tracer"
