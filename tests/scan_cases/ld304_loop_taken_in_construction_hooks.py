# What a constructor runs is part of making the object: the methods of its own class it calls
# (`self.configure()`, a `_configure` hook a subclass overrides) take the current loop where
# the object is made, like `__init__` itself, and so does a get_event_loop() evaluated inside
# the stored expression (a default of `dict.pop`). An `asyncio` imported again under
# `except ImportError` (a backport) is still asyncio. What the constructor hands to a thread,
# and what only `start()` runs, is not construction.
# negative for: LD303, LD304
import threading

try:
    import asyncio
except ImportError:
    import trollius as asyncio


def maybe_ref(value):
    return value


class BaseScheduler:
    def __init__(self, **options):
        self._options = {}
        self.configure(**options)

    def configure(self, **options):
        self._options.update(options)
        self._configure(dict(options))

    def _configure(self, config: dict) -> None:
        self._timezone = config.pop("timezone", "UTC")


class AsyncIOScheduler(BaseScheduler):
    def _configure(self, config: dict) -> None:
        self._eventloop = maybe_ref(config.pop("event_loop", None)) or asyncio.get_event_loop()  # error: LD304 "_configure" "AsyncIOScheduler._eventloop"
        super()._configure(config)

    def wakeup(self) -> None:
        self._eventloop.call_soon_threadsafe(self.wakeup)


class DefaultLoopScheduler(BaseScheduler):
    def _configure(self, config: dict) -> None:
        self.event_loop = maybe_ref(config.pop("event_loop", asyncio.get_event_loop()))  # error: LD304 "DefaultLoopScheduler.event_loop" "in the stored expression"
        super()._configure(config)

    def wakeup(self) -> None:
        self.event_loop.call_soon_threadsafe(self.wakeup)


class LazyScheduler(BaseScheduler):
    def _configure(self, config: dict) -> None:
        self._eventloop = config.pop("event_loop", None)
        super()._configure(config)

    def start(self) -> None:
        if self._eventloop is None:
            self._eventloop = asyncio.get_event_loop()


class GuardedScheduler(BaseScheduler):
    def _configure(self, config: dict) -> None:
        try:
            self._eventloop = asyncio.get_event_loop()
        except RuntimeError:
            self._eventloop = asyncio.new_event_loop()
        super()._configure(config)


class Portal:
    def __init__(self):
        self._ready = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()
        self._ready.wait()

    def _serve(self) -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        self.loop = asyncio.get_event_loop()
        self._ready.set()
        self.loop.run_forever()


class ConnectionPool:
    def __init__(self, connect) -> None:
        self._connect = connect


class Gateway:
    def __init__(self):
        self._pool = ConnectionPool(connect=self._connect)  # handed over, called later

    def _connect(self) -> None:
        self._loop = asyncio.get_event_loop()
