# LD101: one client created outside, handed to a new loop per thread task.
# negative for: LD101
import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx


async def fetch(client: httpx.AsyncClient, url: str) -> str:
    return (await client.get(url)).text


def fetch_all(urls):
    client = httpx.AsyncClient()
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(asyncio.run, fetch(client, u)) for u in urls]  # error: LD101 "AsyncClient"
    return [f.result() for f in futures]


def fetch_each(urls):
    with ThreadPoolExecutor(4) as pool:
        futures = []
        for url in urls:
            client = httpx.AsyncClient()  # a fresh client per task: fine
            futures.append(pool.submit(asyncio.run, fetch(client, url)))
    return [f.result() for f in futures]
