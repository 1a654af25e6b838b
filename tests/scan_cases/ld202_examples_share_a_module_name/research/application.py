# The same layout, a cached async client: one client for every loop that asks.
import functools

import openai


@functools.lru_cache
def _get_openai_client():  # error: LD202 "@lru_cache" "_get_openai_client"
    return openai.AsyncOpenAI()


def make_client():
    return openai.AsyncOpenAI()


async def ask(prompt: str) -> str:
    response = await _get_openai_client().chat.completions.create(model="m", messages=[prompt])
    return response.choices[0].message.content
