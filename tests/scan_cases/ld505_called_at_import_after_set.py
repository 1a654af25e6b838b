# negative for: LD505
# The module's top level makes and sets a loop before it calls the function that takes the
# current one: `get_event_loop()` finds that loop at import, on every Python.
import asyncio


def _current_loop():
    return asyncio.get_event_loop()


asyncio.set_event_loop(asyncio.new_event_loop())
LOOP_TIME = _current_loop().time()
