# negative for: LD302
# A class-level queue whose only waiter runs on the adapter's private loop: a thread runs that
# loop forever, the loop is made once and never replaced, and sync code hands the waiting
# coroutine to it with `run_coroutine_threadsafe`: silent. The second adapter makes a new loop
# on every start, so its queue's waiter meets another loop each time: reported.
import asyncio
import threading


class Adapter:
    _loop: asyncio.AbstractEventLoop
    _queue: asyncio.Queue = asyncio.Queue()

    @classmethod
    async def _process(cls) -> None:
        while True:
            job = await cls._queue.get()
            await job
            cls._queue.task_done()

    @classmethod
    def start(cls) -> None:
        if not getattr(cls, "_loop", None):
            cls._loop = asyncio.new_event_loop()
            threading.Thread(target=cls._loop.run_forever, daemon=True).start()
            asyncio.run_coroutine_threadsafe(cls._process(), cls._loop)

    @classmethod
    def submit(cls, job) -> None:
        asyncio.run_coroutine_threadsafe(cls._queue.put(job), cls._loop)


class RestartingAdapter:
    _loop: asyncio.AbstractEventLoop | None = None
    _queue: asyncio.Queue = asyncio.Queue()  # error: LD302 "_queue" "_process"

    @classmethod
    async def _process(cls) -> None:
        while True:
            job = await cls._queue.get()
            await job

    @classmethod
    def start(cls) -> None:
        cls._loop = asyncio.new_event_loop()
        threading.Thread(target=cls._loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(cls._process(), cls._loop)

    @classmethod
    def stop(cls) -> None:
        cls._loop.call_soon_threadsafe(cls._loop.stop)
        cls._loop = None
