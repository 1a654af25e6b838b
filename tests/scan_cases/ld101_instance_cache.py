# A module-level pool object caches clients in a dict on the instance; a worker thread
# runs a new loop over a coroutine that takes its client from that pool.
import asyncio
import threading

from openai import AsyncOpenAI


class ClientPool:
    def __init__(self):
        self._clients = {}

    def get(self, base_url: str) -> AsyncOpenAI:
        if base_url not in self._clients:
            self._clients[base_url] = AsyncOpenAI(base_url=base_url)  # error: LD201 "ClientPool._clients" "pool"
        return self._clients[base_url]


pool = ClientPool()


async def ask(question: str):
    client = pool.get("http://127.0.0.1:8000/v1")
    return await client.responses.create(model="m", input=question)


def worker(question: str):
    return asyncio.run(ask(question))  # error: LD101 "ClientPool._clients"


def start(question: str) -> threading.Thread:
    thread = threading.Thread(target=worker, args=(question,))
    thread.start()
    return thread
