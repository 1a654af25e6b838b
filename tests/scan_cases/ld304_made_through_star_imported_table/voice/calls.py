import asyncio

from voice.providers import *


class Call:
    def __init__(self, kind: str) -> None:
        self.speaker = self._setup(kind)

    def _setup(self, kind: str):
        return SPEAKERS[kind]()


async def run_call(kind: str, text: str) -> None:
    call = Call(kind)
    await asyncio.wait_for(call.speaker.speak(text), timeout=10)
