# negative for: LD502
# Seen in a real upload cache: a sync facade that, finding a running loop, submits the
# coroutine to that same loop and waits on it. The loop's own thread is the one waiting.
import asyncio


class UploadCache:
    async def _lookup(self, key):
        return key

    @staticmethod
    def _run_sync(coro):
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None and loop.is_running():
            future = asyncio.run_coroutine_threadsafe(coro, loop)
            return future.result(timeout=30)  # error: LD502 "running loop"
        return asyncio.run(coro)

    def get(self, key):
        return self._run_sync(self._lookup(key))


class Listener:
    """A websocket listener: the loop's thread runs `_on_message` as a callback, which
    submits to that same loop and waits."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self._loop = loop

    async def _store(self, message):
        return message

    def _on_message(self, message):
        future = asyncio.run_coroutine_threadsafe(self._store(message), self._loop)
        return future.result()  # error: LD502 "_on_message" "callback"

    def feed(self, message):
        self._loop.call_soon_threadsafe(self._on_message, message)

    def from_worker_thread(self, message):
        # called by another thread: waiting on the loop from there is the portal pattern
        return asyncio.run_coroutine_threadsafe(self._store(message), self._loop).result()
