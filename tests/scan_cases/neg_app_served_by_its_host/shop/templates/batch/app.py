# An app template that runs its own loops: each button press is a new asyncio.run over the
# one module-level client.
import asyncio

from app_utils import api_key
from openai import AsyncOpenAI

from shop import ui

batch_client = AsyncOpenAI(api_key=api_key())  # error: LD301 "batch_client" "AsyncOpenAI"


async def summarize(text: str) -> str:
    reply = await batch_client.responses.create(model="m", input=text)
    return reply.output_text


@ui.on_click("summarize")
def on_summarize(text: str) -> str:
    return asyncio.run(summarize(text))  # error: LD103 "on_summarize" "batch_client"
