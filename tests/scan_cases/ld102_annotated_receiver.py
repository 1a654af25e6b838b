# The coroutine comes from a parameter whose annotation names the class that owns the
# client; the bridge is generic and lives in the same module.
import asyncio
from concurrent.futures import ThreadPoolExecutor

from anthropic import AsyncAnthropic


class Assistant:
    def __init__(self) -> None:
        self.client = AsyncAnthropic()

    async def answer(self, question: str):
        return await self.client.messages.create(model="m", max_tokens=64, messages=[])


def run_blocking(coro):
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)  # error: LD103 "run_blocking" "Assistant.client"
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()  # error: LD102 "Assistant.client"


def answer_sync(assistant: Assistant, question: str):
    return run_blocking(assistant.answer(question))
