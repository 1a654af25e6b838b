# negative for: LD203, LD304
# Each speaker keeps `get_event_loop()` and makes its session again only once it is closed.
# `CloudSpeaker` is made only through a table of classes that a star import brings to the
# call's constructor, and every call is made inside a coroutine: the loop it keeps and the
# session it makes are the running loop's, silent. `LocalSpeaker` is also made by sync code
# no coroutine calls: reported.
import asyncio

import aiohttp


class CloudSpeaker:
    def __init__(self) -> None:
        self.loop = asyncio.get_event_loop()
        self.session: aiohttp.ClientSession | None = None

    def later(self) -> None:
        self.loop.call_soon(print, "later")

    async def speak(self, text: str) -> None:
        if self.session is None or self.session.closed:
            self.session = aiohttp.ClientSession()
        await self.session.post("https://tts.example/speak", json={"text": text})


class LocalSpeaker:
    def __init__(self) -> None:
        self.loop = asyncio.get_event_loop()  # error: LD303 "LocalSpeaker.loop" "made outside"
        self.session: aiohttp.ClientSession | None = None

    def later(self) -> None:
        self.loop.call_soon(print, "later")

    async def speak(self, text: str) -> None:
        if self.session is None or self.session.closed:
            self.session = aiohttp.ClientSession()  # error: LD203 "LocalSpeaker.session"
        await self.session.post("http://127.0.0.1:5000/speak", json={"text": text})
