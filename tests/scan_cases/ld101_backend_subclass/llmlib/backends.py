# An abstract backend and one implementation that makes its async client once, in
# negative for: LD101
# __init__. Code elsewhere only names the base class; the client comes with the subclass.
# A backend that opens its client per request is fine.
import abc

import httpx
from openai import AsyncOpenAI


class Backend(abc.ABC):
    @abc.abstractmethod
    async def generate(self, prompt: str) -> str: ...


class OpenAIBackend(Backend):
    def __init__(self, base_url: str):
        self._async_client = AsyncOpenAI(base_url=base_url)

    async def generate(self, prompt: str) -> str:
        reply = await self._async_client.responses.create(model="m", input=prompt)
        return reply.output_text


class PerRequestBackend(Backend):
    async def generate(self, prompt: str) -> str:
        async with httpx.AsyncClient() as http:
            return (await http.post("http://127.0.0.1:8000/v1/generate", json={"p": prompt})).text
