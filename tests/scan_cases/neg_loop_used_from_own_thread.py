# The safe forms of ld506_loop_used_from_foreign_thread.py: a worker thread hands its work to
# the loop's own thread (call_soon_threadsafe, run_coroutine_threadsafe), a thread makes and
# runs a loop of its own, a callback the loop itself runs, and sync code a coroutine calls on
# the loop's thread.
# negative for: LD506
import asyncio
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
