# Threads that run a loop over a coroutine that owns its client: silent.
# negative for: LD101
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
from openai import AsyncOpenAI


async def ask(question):
    async with AsyncOpenAI() as client:
        return await client.responses.create(model="m", input=question)


async def fetch(url):
    client = httpx.AsyncClient()
    try:
        return (await client.get(url)).text
    finally:
        await client.aclose()


def worker(question):
    return asyncio.run(ask(question))


def run_all(questions, urls):
    with ThreadPoolExecutor() as pool:
        answers = [pool.submit(worker, q) for q in questions]
        pages = list(pool.map(lambda u: asyncio.run(fetch(u)), urls))
    threading.Thread(target=asyncio.run, args=(ask("hi"),)).start()
    return answers, pages
