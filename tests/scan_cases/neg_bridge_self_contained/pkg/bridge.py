# The same bridge shape, but every coroutine it runs owns its client: silent.
# negative for: LD102, LD103
import asyncio
import concurrent.futures

from openai import AsyncOpenAI


def run_async(coro):
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _summarise(text: str) -> str:
    async with AsyncOpenAI() as client:
        response = await client.responses.create(model="m", input=text)
    return response.output_text


def summarise(text: str) -> str:
    return run_async(_summarise(text))
