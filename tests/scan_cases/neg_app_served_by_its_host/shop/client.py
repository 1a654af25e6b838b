# A library module: users import it and may run ask() from one asyncio.run after another.
from openai import AsyncOpenAI

client = AsyncOpenAI()  # error: LD301 "client" "AsyncOpenAI"


async def ask(question: str) -> str:
    reply = await client.responses.create(model="m", input=question)
    return reply.output_text
