# A function the module's own top level calls runs when the module is imported, on the
# importing thread, before anything has set a loop there: its `get_event_loop()` makes a loop
# on demand up to Python 3.13 (3.12 and 3.13 warn) and raises "There is no current event loop
# in thread 'MainThread'" since 3.14, so the import fails. Directly, one call away, and from a
# class body.
import asyncio


class GuiLoop(asyncio.SelectorEventLoop):
    pass


def _setup_gui_loop() -> None:
    if isinstance(asyncio.get_event_loop(), GuiLoop):  # error: LD505 "_setup_gui_loop" "imported"
        return
    asyncio.set_event_loop(GuiLoop())


def _current_loop():
    return asyncio.get_event_loop()  # error: LD505 "_current_loop" "through `_make_registry`"


def _make_registry() -> dict:
    return {"loop": _current_loop()}


def _loop_clock() -> float:
    return asyncio.get_event_loop().time()  # error: LD505 "_loop_clock" "3.14"


class Plugin:
    started = _loop_clock()


def has_gui() -> bool:
    return True


if has_gui():
    _setup_gui_loop()

REGISTRY = _make_registry()
