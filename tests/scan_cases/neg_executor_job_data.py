# A queue worker: an async loop pulls jobs (via a redis-backed method) and runs each
# negative for: LD101, LD102, LD503
# handler in an executor thread with its own loop. The job is data, not the redis client;
# the handler is opaque. Generic ``except Exception`` around get_event_loop() is not the
# "is a loop running?" probe of a sync bridge. Silent.
import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import redis.asyncio as aioredis


class JobQueue:
    def __init__(self, url: str):
        self.redis = aioredis.from_url(url)
        self.executor = ThreadPoolExecutor(max_workers=4)

    async def next_job(self, name: str):
        raw = await self.redis.rpop(f"queue:{name}")
        return json.loads(raw) if raw else None

    async def serve(self, name: str, handler) -> None:
        while True:
            try:
                job = await self.next_job(name)
                if job:
                    loop = asyncio.get_event_loop()
                    await loop.run_in_executor(self.executor, self._run_job, handler, job)
            except Exception:
                await asyncio.sleep(1)

    def _run_job(self, handler, job) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        loop.run_until_complete(handler(job))
        loop.close()
