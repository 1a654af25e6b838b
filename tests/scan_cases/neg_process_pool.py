# A process pool runs asyncio.run in another process with its own copy of everything.
# negative for: LD101
import asyncio
from concurrent.futures import ProcessPoolExecutor

from openai import AsyncOpenAI

_client: dict = {}


async def ask(question):
    if "c" not in _client:
        _client["c"] = AsyncOpenAI()  # error: LD201 "_client" "AsyncOpenAI"
    return await _client["c"].responses.create(model="m", input=question)


def ask_all(questions):
    with ProcessPoolExecutor() as pool:
        return list(pool.map(asyncio.run, [ask(q) for q in questions]))


def ask_one(question):
    pool = ProcessPoolExecutor()
    return pool.submit(asyncio.run, ask(question)).result()
