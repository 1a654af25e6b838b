# LD505 kept where the code may run in a thread of any Python; silent where it imports a
# browser-only module unconditionally (Pyodide: one thread, whose WebLoop is always there).
import asyncio


class Loader:
    async def _fetch_one(self, key: str) -> bytes:
        return key.encode()

    def get(self, key: str) -> bytes:
        loop = asyncio.get_event_loop()  # error: LD505 "get" "no current event loop"
        return loop.run_until_complete(self._fetch_one(key))

    def get_in_browser(self, key: str) -> bytes:
        from js import fetch  # noqa: F401

        loop = asyncio.get_event_loop()
        return loop.run_until_complete(self._fetch_one(key))

    def get_anywhere(self, key: str) -> bytes:
        try:
            import pyodide  # noqa: F401
        except ImportError:
            pass
        loop = asyncio.get_event_loop()  # error: LD505 "get_anywhere" "no current event loop"
        return loop.run_until_complete(self._fetch_one(key))
