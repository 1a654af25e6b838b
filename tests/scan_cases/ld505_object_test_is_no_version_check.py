# `if hasattr(self, "_client"):` tests an object, not what the Python version's asyncio has:
# the branch it guards runs on every version, so the `get_event_loop()` beside it still borrows
# the calling thread's loop (the version checks `hasattr(asyncio, "run")` and
# `sys.version_info` are neg_get_event_loop_with_fallback.py's).
import asyncio


class Client:
    def __init__(self, client=None):
        if client is not None:
            self._client = client

    def fetch(self, path):
        if hasattr(self, "_client"):
            return asyncio.run(self._client.get(path))
        return asyncio.get_event_loop().run_until_complete(self._get(path))  # error: LD505 "fetch" "no current event loop"

    async def _get(self, path):
        await asyncio.sleep(0)
        return path
