# The kept form of neg_thread_runs_own_loop.py: the coroutine also awaits the logger's client
# itself, so every run's new loop and the logging thread's loop both use the one client.
import asyncio
import threading

import httpx


class Logger:
    def __init__(self):
        self.client = httpx.AsyncClient()

    async def alog(self, record: dict) -> None:
        await self.client.post("http://127.0.0.1:8000/log", json=record)


class Agent:
    def __init__(self, logger: Logger):
        self.logger = logger

    async def _log(self, record: dict) -> None:
        await self.logger.alog(record)

    def _log_in_background(self, record: dict) -> None:
        def _run() -> None:
            asyncio.run(self._log(record))  # error: LD101 "Agent.logger"

        threading.Thread(target=_run).start()

    async def arun(self, task: str) -> str:
        self._log_in_background({"task": task})
        await self.logger.alog({"done": task})
        return task.upper()

    def run(self, task: str) -> str:
        return asyncio.run(self.arun(task))  # error: LD103 "Agent.logger"
