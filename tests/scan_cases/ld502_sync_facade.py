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
