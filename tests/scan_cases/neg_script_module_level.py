# A script: its module-level client and lock meet the one loop ``asyncio.run`` starts at
# the bottom, and no other module imports it. Silent.
# negative for: LD301, LD302
import asyncio

from openai import AsyncOpenAI

client = AsyncOpenAI(base_url="http://127.0.0.1:11434/v1", api_key="local")
lock = asyncio.Lock()


async def main() -> None:
    async with lock:
        print(await client.models.list())


if __name__ == "__main__":
    asyncio.run(main())
