# A callback a foreign library calls on its own thread (a device SDK's subscription thread)
# hands some work to the server's loop with call_soon_threadsafe, which says it runs off the
# loop's thread, but schedules other work on the same loop with create_task directly: not
# thread-safe (the loop is not woken, its queues race). `typing.cast(T, loop)` is the loop
# itself. Safe forms stay silent: the whole handler handed over with call_soon_threadsafe
# (it then runs on the loop's thread), a callback that only uses call_soon_threadsafe, and
# one that asks through a helper whether the loop runs on its thread.
from __future__ import annotations

import asyncio
from typing import cast


class Controller:
    def __init__(self, server, sdk):
        self.server = server
        self.sdk = sdk

    async def refresh(self, node: int) -> None:
        await asyncio.sleep(0)

    def store(self, node: int) -> None:
        pass

    async def subscribe(self, node: int) -> None:
        loop = cast(asyncio.AbstractEventLoop, self.server.loop)

        def updated(value: int) -> None:
            loop.call_soon_threadsafe(self.store, node)
            if value:
                loop.create_task(self.refresh(node))  # error: LD506 "loop.create_task" "call_soon_threadsafe"

        self.sdk.on_update(updated)

    async def subscribe_safely(self, node: int) -> None:
        loop = cast(asyncio.AbstractEventLoop, self.server.loop)

        def handle(value: int) -> None:
            self.store(node)
            if value:
                loop.create_task(self.refresh(node))

        def updated(value: int) -> None:
            loop.call_soon_threadsafe(handle, value)

        self.sdk.on_update(updated)

    async def subscribe_store_only(self, node: int) -> None:
        loop = cast(asyncio.AbstractEventLoop, self.server.loop)

        def updated(value: int) -> None:
            loop.call_soon_threadsafe(self.store, node)

        self.sdk.on_update(updated)


def running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def call_soon_in_loop(loop: asyncio.AbstractEventLoop, callback) -> None:
    """Asks, through a helper, whether the loop runs on this thread: the direct call is the
    branch for the loop's own thread, the hand-off the one for every other thread."""
    if loop is running_loop():
        loop.call_soon(callback)
    else:
        loop.call_soon_threadsafe(callback)
