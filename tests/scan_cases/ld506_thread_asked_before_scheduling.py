# Code a worker thread may run that first asks where it runs: the branch for the thread that
# runs the loop (`if thread is threading.current_thread()`), and what follows a helper that
# asks for the running loop (it raises on a thread with none), schedule on the loop's own
# thread. The other branch, and a helper that asks nothing, stay reported.
import asyncio
import threading


async def report(value: int) -> None:
    print(value)


class Runner:
    """A loop run forever by a thread of its own; close() may come from any thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def close(self) -> None:
        current = threading.current_thread()
        if self.thread is current:
            self.loop.call_soon(self.loop.stop)
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()

    def stop_by_ident(self) -> None:
        if threading.get_ident() == self.thread.ident:
            self.loop.call_soon(self.loop.stop)
        else:
            self.loop.call_soon_threadsafe(self.loop.stop)

    def stop_unless_foreign(self) -> None:
        if threading.current_thread() is not self.thread:
            raise RuntimeError("call this on the runner's thread")
        self.loop.call_soon(self.loop.stop)

    def wake_wrong_branch(self) -> None:
        if threading.current_thread() is not self.thread:
            self.loop.call_soon(self.loop.stop)  # error: LD506 "self.loop.call_soon" "close_all"


def close_all(runner: Runner) -> None:
    runner.close()
    runner.stop_by_ident()
    runner.stop_unless_foreign()
    runner.wake_wrong_branch()


class Client:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self.tasks: list[asyncio.Task] = []

    def _bind_loop(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise RuntimeError("this client belongs to another event loop")
        return loop

    def _remember(self, value: int) -> None:
        self.tasks.append(value)

    def start_workers(self) -> None:
        self._bind_loop()
        self.tasks.append(asyncio.create_task(report(1)))

    def start_blindly(self) -> None:
        self._remember(2)
        self.tasks.append(asyncio.create_task(report(2)))  # error: LD506 "create_task" "capture"


def capture(client: Client) -> None:
    client.start_workers()
    client.start_blindly()


async def main() -> None:
    threading.Thread(target=close_all, args=(Runner(),)).start()
    threading.Thread(target=capture, args=(Client(),)).start()
