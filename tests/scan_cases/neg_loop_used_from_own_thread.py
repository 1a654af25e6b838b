# The safe forms of ld506_loop_used_from_foreign_thread.py: a worker thread hands its work to
# the loop's own thread (call_soon_threadsafe, run_coroutine_threadsafe), a thread makes and
# runs a loop of its own, a callback the loop itself runs, and sync code a coroutine calls on
# the loop's thread.
# negative for: LD506
import asyncio
import functools
import threading


async def report(value: int) -> None:
    print(value)


class Listener:
    def __init__(self) -> None:
        self.woken = asyncio.Event()


class Worker:
    def __init__(self, loop: asyncio.AbstractEventLoop, listener: Listener) -> None:
        self.loop = loop
        self.listener = listener
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        self.loop.call_soon_threadsafe(self._on_loop, 42)
        asyncio.run_coroutine_threadsafe(report(1), self.loop)
        self.loop.call_soon_threadsafe(self.listener.woken.set)

    def _on_loop(self, value: int) -> None:
        self.loop.create_task(report(value))
        self.listener.woken.set()


def own_loop_thread() -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.call_soon(print, "ready")
    loop.create_task(report(2))
    loop.run_forever()


def start_own_loop() -> None:
    threading.Thread(target=own_loop_thread, daemon=True).start()


def wake(listener: Listener) -> None:
    listener.woken.set()
    asyncio.get_running_loop().call_soon(print, "woken")


async def on_message(listener: Listener) -> None:
    wake(listener)
    await listener.woken.wait()


class Subscriber:
    def __init__(self) -> None:
        self.wake_up = asyncio.Event()
        self.ready = threading.Event()
        self.loop = asyncio.get_running_loop()


class Hub:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.subscribers: dict[str, set] = {}

    def publish(self, channel: str) -> None:
        with self.lock:
            for subscriber in self.subscribers.get(channel, set()):
                subscriber.ready.set()
                subscriber.loop.call_soon_threadsafe(subscriber.wake_up.set)


def run_here() -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(report(3))


class Lane:
    def __init__(self) -> None:
        self.wake = asyncio.Event()


class SyncSession:
    """A sync session's reader thread, started with no loop beside it: nothing awaits `wake`
    in another thread's loop."""

    def __init__(self) -> None:
        self.lane = Lane()

    def __enter__(self) -> "SyncSession":
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def _read(self) -> None:
        self.lane.wake.set()


class Timers:
    """Callbacks the loop runs (handed through `partial`, or as `call_later`'s second
    argument) take a threading lock for the other loops' threads; tasks under a lock are
    each thread's own loop's."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._lock = threading.Lock()
        self._loop = loop
        self.done = asyncio.Event()

    def start(self, fut: asyncio.Future) -> None:
        fut.add_done_callback(functools.partial(self._on_done, 1))
        self._loop.call_later(1.0, self._on_tick)

    def _on_done(self, value: int, fut: asyncio.Future) -> None:
        with self._lock:
            self.done.set()

    def _on_tick(self) -> None:
        with self._lock:
            self._loop.call_later(1.0, self._on_tick)
            self.done.set()

    def spawn(self) -> None:
        with self._lock:
            asyncio.create_task(report(4))


class Output:
    def clear(self) -> None: ...


class ConsoleOutput(Output):
    """Overrides a base's method: the base's callers (on the loop) decide the thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._empty = asyncio.Event()

    def clear(self) -> None:
        with self._lock:
            self._empty.set()


class Stopper:
    """A flag nobody awaits, set from a thread a coroutine starts: no waiter to wake."""

    def __init__(self) -> None:
        self.stop_event = asyncio.Event()

    def _consume(self) -> None:
        self.stop_event.set()

    async def start(self) -> None:
        await asyncio.to_thread(self._consume)
        print(self.stop_event.is_set())


_threads_lock = threading.Lock()


def start_lookup() -> asyncio.Future:
    """Asks for the running loop: it runs on the loop's thread; the lock is for the threads it
    starts."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    with _threads_lock:
        future.set_exception(RuntimeError("too many lookups"))
    return future


def _in_task() -> bool:
    try:
        return asyncio.current_task() is not None
    except RuntimeError:  # no loop runs in this thread: no task either
        return False


def _task_of(loop: asyncio.AbstractEventLoop) -> asyncio.Task | None:
    return asyncio.current_task(loop)


def retried(call, loop: asyncio.AbstractEventLoop):
    if _in_task() or _task_of(loop) is not None:
        raise TypeError("a blocking retry inside a coroutine")
    return call


def load_in_background(load, loop: asyncio.AbstractEventLoop) -> None:
    threading.Thread(target=retried, args=(load, loop), daemon=True).start()


class Pages:
    """A future made in the same function and set before anyone has it (set on one branch,
    returned on each): nothing waits on it yet, so setting it wakes no loop."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.connected = 0

    def disconnect(self) -> asyncio.Future:
        future: asyncio.Future[None] = asyncio.Future()
        with self.lock:
            if self.connected == 0:
                future.set_result(None)
                return future
            self.connected -= 1
            if self.connected:
                future = self._schedule_cull()
            else:
                future.set_result(None)
            return future

    def close(self) -> asyncio.Future | None:
        future = None
        try:
            future = asyncio.Future()
        except RuntimeError:
            pass
        else:
            future.set_result(None)
        with self.lock:
            self.connected = 0
        return future

    def _schedule_cull(self) -> asyncio.Future:
        return asyncio.Future()


def dispatch_write(send, message: str) -> None:
    """A worker thread with no loop gets RuntimeError from `ensure_future` and takes the
    thread-safe way instead."""
    try:
        asyncio.ensure_future(send(message))
    except RuntimeError:
        send_later(send, message)


def send_later(send, message: str) -> None:
    print("queued for the loop's thread", send, message)


def start_writer(send) -> None:
    threading.Thread(target=dispatch_write, args=(send, "hello"), daemon=True).start()


class Repeater:
    """Started from a pool thread too, but it schedules only on a loop it finds running on
    the calling thread (`get_running_loop()` then `is_running()`): never on another's."""

    def start(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop and loop.is_running():
            self.task = asyncio.create_task(self.repeat())

    async def repeat(self) -> None:
        await asyncio.sleep(1)


def start_repeater_in_pool(pool, repeater: Repeater) -> None:
    pool.submit(repeater.start)
