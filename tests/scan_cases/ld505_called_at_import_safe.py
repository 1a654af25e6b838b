# negative for: LD505
# The safe forms of a function called at import: it sets a loop before taking it, it handles
# the thread having none (`except RuntimeError`), or the module only defines it and a
# coroutine calls it, where the running loop is the current one.
import asyncio


def _install_loop():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return asyncio.get_event_loop()


def _loop_or_new():
    try:
        return asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        return loop


def _loop_later():
    return asyncio.get_event_loop()


async def serve() -> None:
    _loop_later().call_soon(print, "ready")


LOOP = _install_loop()
FALLBACK = _loop_or_new()
