# Work handed to a worker thread schedules on a loop another thread runs, wakes an asyncio
# Event bound to it, or starts a task with no loop running in the thread; a loop that a thread
# runs forever is set as the calling thread's loop. The safe forms are in
# neg_loop_used_from_own_thread.py.
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

_LOOP = None


def get_background_loop() -> asyncio.AbstractEventLoop:
    global _LOOP
    if _LOOP is None:
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, daemon=True).start()
        _LOOP = loop
    return _LOOP


def use_background_loop() -> None:
    asyncio.set_event_loop(get_background_loop())  # error: LD506 "set_event_loop" "another thread"


class Listener:
    def __init__(self) -> None:
        self.woken = asyncio.Event()
        self.loop = asyncio.get_running_loop()


def compute() -> int:
    return 42


async def report(value: int) -> None:
    print(value)


class Worker:
    def __init__(self, loop: asyncio.AbstractEventLoop, listener: Listener) -> None:
        self.loop = loop
        self.listener = listener
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        value = compute()
        self._publish(value)

    def _publish(self, value: int) -> None:
        self.loop.create_task(report(value))  # error: LD506 "self.loop.create_task" "_run"
        self.listener.woken.set()  # error: LD506 "Event" "woken"


def notify(value: int) -> None:
    asyncio.ensure_future(report(value))  # error: LD506 "ensure_future" "runs no event loop"


async def serve(listener: Listener) -> None:
    worker = Worker(asyncio.get_running_loop(), listener)
    worker.start()
    with ThreadPoolExecutor() as pool:
        pool.submit(notify, 1)
    await listener.woken.wait()


class Subscriber:
    def __init__(self) -> None:
        self.wake_up = asyncio.Event()
        self.items: list[str] = []


class Hub:
    """Its lock says it: sync callers on several threads publish here."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.subscribers: dict[str, set] = {}

    def publish(self, channel: str, item: str) -> None:
        with self.lock:
            for subscriber in self.subscribers.get(channel, set()):
                subscriber.items.append(item)
                subscriber.wake_up.set()  # error: LD506 "wake_up.set()" "threading"


hub = Hub()


async def listen(subscriber: Subscriber) -> None:
    await subscriber.wake_up.wait()


def _in_task() -> bool:
    return asyncio.current_task() is not None  # error: LD506 "current_task()" "runs no event loop"


def retried(call):
    if _in_task():
        raise TypeError("a blocking retry inside a coroutine")
    return call


def load_in_background(load) -> None:
    threading.Thread(target=retried, args=(load,), daemon=True).start()


class Pages:
    """A future made here but handed to a waiter list before it is set: a coroutine of the
    loop may wait on it by then."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.waiters: list[asyncio.Future] = []

    def disconnect(self) -> asyncio.Future:
        future = asyncio.Future()
        with self.lock:
            self.waiters.append(future)
            future.set_result(None)  # error: LD506 "future.set_result()" "threading"
            return future
