# A coroutine that calls a sync helper which runs a loop (`asyncio.run`, `run_until_complete`)
# runs that loop inside the running one: "asyncio.run() cannot be called from a running event
# loop". Handing the helper to a thread, a helper that asks whether a loop runs first (a
# bridge), one that starts its loop only under an `if` or under `except RuntimeError`, and
# sync callers are fine.
# negative for: LD501
import asyncio


async def fetch() -> int:
    return 1


def fetch_sync() -> int:
    return asyncio.run(fetch())


def fetch_on_current_loop() -> int:
    return asyncio.get_event_loop().run_until_complete(fetch())  # error: LD505 "fetch_on_current_loop"


class Store:
    def get(self) -> int:
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(fetch())
        finally:
            loop.close()

    async def refresh(self) -> int:
        return self.get()  # error: LD501 "refresh" "get" "run_until_complete"


async def tool() -> int:
    first = fetch_sync()  # error: LD501 "tool" "fetch_sync" "asyncio.run"
    return first + fetch_on_current_loop()  # error: LD501 "fetch_on_current_loop"


async def tool_in_thread() -> int:
    return await asyncio.to_thread(fetch_sync)


def bridge() -> int:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(fetch())
    return 0


def tolerant() -> int:
    try:
        return asyncio.run(fetch())
    except RuntimeError:
        return 0


def only_when_sync(sync: bool) -> int:
    if sync:
        return asyncio.run(fetch())
    return 0


async def guarded_callers() -> int:
    return bridge() + tolerant() + only_when_sync(False)


def report() -> int:
    return fetch_sync()
