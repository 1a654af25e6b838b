# negative for: LD505 (a module of a `pyodide` package runs only in the browser's one thread)
import asyncio


class BrowserStdin:
    def __init__(self, queue: asyncio.Queue):
        self.queue = queue

    def readline(self) -> str:
        loop = asyncio.get_event_loop()
        return loop.run_until_complete(self.queue.get())
