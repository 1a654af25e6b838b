# negative for: LD303, LD304
# Each protocol's sync `setup` makes the object that keeps `get_event_loop()`; nothing calls a
# setup by name: the protocol tables hold them, and whoever reads a table calls them. `Power`'s
# table is read only by a coroutine (`connect`): its setup runs inside the running loop, which
# is the loop it keeps: every `Power` is made in a coroutine, silent. `Remote`'s table is also
# read by sync code (`connect_blocking`), outside any loop (LD303).
import asyncio


class Power:
    def __init__(self) -> None:
        self.loop = asyncio.get_event_loop()

    def turn_on(self) -> None:
        self.loop.call_soon(print, "on")


class Remote:
    def __init__(self) -> None:
        self.loop = asyncio.get_event_loop()  # error: LD303 "Remote.loop" "made outside"

    def press(self) -> None:
        self.loop.call_soon(print, "press")


def setup_power() -> list:
    return [Power()]


def setup_remote() -> list:
    return [Remote()]
