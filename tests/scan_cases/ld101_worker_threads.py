# LD101: asyncio.run in a worker thread over a coroutine that reaches shared state.
# negative for: LD101
import asyncio
import functools
import threading
from concurrent.futures import ThreadPoolExecutor

from openai import AsyncOpenAI

shared = AsyncOpenAI()  # error: LD301 "AsyncOpenAI" "shared"


async def ask(question):
    return await shared.responses.create(model="m", input=question)


def run_all(questions):
    with ThreadPoolExecutor() as pool:
        return [pool.submit(asyncio.run, ask(q)) for q in questions]  # error: LD101 "shared"


def with_lambda(pool, question):
    return pool.submit(lambda: asyncio.run(ask(question)))  # error: LD101 "shared"


def with_partial(pool, question):
    return pool.submit(functools.partial(asyncio.run, ask(question)))  # error: LD101 "shared"


def worker(question):
    return asyncio.run(ask(question))  # error: LD101 "shared"


def start_thread(question):
    threading.Thread(target=worker, args=(question,)).start()


async def gateway(question):
    return await asyncio.to_thread(worker, question)


class Service:
    def handle(self, question):
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(ask(question))  # error: LD101 "shared"
        finally:
            loop.close()

    async def serve(self, question):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.handle, question)
