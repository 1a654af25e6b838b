import asyncio

from sched.base import BaseScheduler


class AsyncIOScheduler(BaseScheduler):
    def _configure(self, config: dict) -> None:
        self._eventloop = config.pop("event_loop", None) or asyncio.get_event_loop()  # error: LD304 "_configure" "AsyncIOScheduler._eventloop"
        super()._configure(config)

    def wakeup(self) -> None:
        self._eventloop.call_soon_threadsafe(self.process_jobs)

    def process_jobs(self) -> None: ...
