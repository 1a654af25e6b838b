# This module has a __main__ block, but another module imports its client: not a script.
import asyncio

from openai import AsyncOpenAI

client = AsyncOpenAI()  # error: LD301 "AsyncOpenAI" "client"


async def main() -> None:
    print(await client.models.list())


if __name__ == "__main__":
    asyncio.run(main())
