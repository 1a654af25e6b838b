# Field defaults: a default made at class definition is one object for every instance (and
# negative for: LD301, LD302
# every loop); a default factory makes one per instance.
import asyncio
from dataclasses import dataclass, field

from aiohttp import ClientSession
from pydantic import BaseModel, Field


@dataclass
class Client:
    base_url: str
    session: ClientSession = ClientSession()  # error: LD301 "ClientSession" "session"
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Orchestration(BaseModel):
    event: asyncio.Event = Field(default_factory=asyncio.Event, exclude=True)
    session: ClientSession | None = Field(default=None, exclude=True)
