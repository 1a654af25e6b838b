# Module-level semaphores that only the server's coroutines wait on: the project starts loops
# of its own (a worker thread in backup.py), but none of them reaches these, so every waiter
# runs on the one loop that serves requests. The project's thread loop reaches `_UPLOADS`.
import asyncio

import httpx

_EMBEDDINGS = asyncio.Semaphore(4)
_UPLOADS = asyncio.Semaphore(2)  # error: LD302 "_UPLOADS" "upload"


async def embed(texts: list[str]) -> list[list[float]]:
    async with _EMBEDDINGS:
        async with httpx.AsyncClient() as client:
            reply = await client.post("http://127.0.0.1:8000/embed", json=texts)
    return reply.json()


async def upload(blob: bytes) -> None:
    async with _UPLOADS:
        async with httpx.AsyncClient() as client:
            await client.put("http://127.0.0.1:8000/blob", content=blob)
