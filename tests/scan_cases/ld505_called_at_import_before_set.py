# A module's top level calls a function that takes the current loop before it sets a loop of
# its own: that call runs at import with no loop set (Python 3.14 raises "There is no current
# event loop in thread 'MainThread'"). What the top level calls after `set_event_loop()` finds
# that loop, and a `set_event_loop()` inside a function the module only defines sets nothing.
import asyncio


def _loop_for_config():
    return asyncio.get_event_loop()  # error: LD505 "_loop_for_config" "imported"


def _loop_after_setup():
    return asyncio.get_event_loop()


def _install(loop) -> None:
    asyncio.set_event_loop(loop)


def _loop_before_any_set():
    return asyncio.get_event_loop()  # error: LD505 "_loop_before_any_set" "imported"


CLOCK = _loop_before_any_set().time()
CONFIG = {"loop": _loop_for_config()}
asyncio.set_event_loop(asyncio.new_event_loop())
LATER = _loop_after_setup().time()
