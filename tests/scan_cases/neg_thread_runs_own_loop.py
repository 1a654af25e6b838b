# A coroutine fires a logging thread whose target runs its own loop (asyncio.run): what that
# loop awaits is not used by the caller's loop. The caller only asks whether the logger is
# there and hands it the thread through a plain method. Each run's logging thread making a
# new loop over the shared client is LD101's (ld101_worker_threads.py), not the caller's.
import asyncio
import threading

import httpx


class Logger:
    def __init__(self):
        self.client = httpx.AsyncClient()
        self.threads = []

    async def alog(self, record: dict) -> None:
        await self.client.post("http://127.0.0.1:8000/log", json=record)

    def register(self, thread: threading.Thread) -> None:
        self.threads.append(thread)


class Agent:
    def __init__(self, logger: Logger):
        self.logger = logger

    async def _log(self, record: dict) -> None:
        await self.logger.alog(record)

    def _log_in_background(self, record: dict) -> None:
        def _run() -> None:
            asyncio.run(self._log(record))  # error: LD101 "Agent.logger"

        thread = threading.Thread(target=_run)
        thread.start()
        if self.logger is not None:
            self.logger.register(thread)

    async def arun(self, task: str) -> str:
        self._log_in_background({"task": task})
        return task.upper()

    def run(self, task: str) -> str:
        return asyncio.run(self.arun(task))
