# Constructors and validators run wherever an object is made: what they take from the
# negative for: LD303, LD304
# current loop (the loop itself, a grpc.aio channel, an aiohttp session) belongs to that
# place, not to the loop that later uses the object. Made lazily inside the loop, made
# only when a loop runs, or a get_event_loop() with a fallback: fine. LD303 needs evidence
# that the object is made outside a loop (here, or the loop it keeps is driven by it);
# without it the shape is LD304, a preview rule.
import asyncio

import aiohttp
import grpc
import httpx
import xai_sdk
from pydantic import BaseModel, root_validator


class StreamConn:
    def __init__(self, url: str):
        self.url = url
        self.loop = asyncio.get_event_loop()  # error: LD303 "StreamConn.loop" "drives that loop"

    def run(self) -> None:
        self.loop.run_until_complete(self.connect())

    async def connect(self) -> None: ...


class PolicyConn:  # the thread's loop through the policy: get_event_loop() without its warning
    def __init__(self, url: str):
        self.url = url
        self.loop = asyncio.get_event_loop_policy().get_event_loop()  # error: LD303 "PolicyConn.loop" "`asyncio.get_event_loop_policy().get_event_loop()`"

    def run(self) -> None:
        self.loop.run_until_complete(self.connect())

    async def connect(self) -> None: ...


class Provider:
    def __init__(self, api_key: str):
        self._client = xai_sdk.AsyncClient(api_key=api_key)  # error: LD304 "AsyncClient" "Provider._client"
        self._http = httpx.AsyncClient()  # binds when first used, not when made


class Channel:
    def __init__(self, target: str):
        self.channel = grpc.aio.insecure_channel(target)  # error: LD303 "insecure_channel" "made outside"
        self.session = aiohttp.ClientSession()  # error: LD303 "ClientSession" "Channel.session"


def connect(target: str) -> Channel:  # sync code makes one, outside any running loop
    return Channel(target)


class Model(BaseModel):
    @root_validator()
    def validate_environment(cls, values: dict) -> dict:
        if _is_event_loop_running():
            values["async_channel"] = grpc.aio.insecure_channel(values["target"])
        return values


class SafeStreamConn:
    def __init__(self):
        try:
            self.loop = asyncio.get_event_loop()
        except RuntimeError:
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)


class LazyProvider:
    def __init__(self, api_key: str):
        self._api_key = api_key
        self._client: xai_sdk.AsyncClient | None = None

    async def client(self) -> xai_sdk.AsyncClient:
        return xai_sdk.AsyncClient(api_key=self._api_key)


def _is_event_loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
