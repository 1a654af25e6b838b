# LD103: a client made by a `cached_property` stays on the instance like `self.x = ...` does,
# so a sync method that runs each call on a new loop hands it to every later loop.
# negative for: LD103
import asyncio
from functools import cached_property

import httpx
from openai import AsyncOpenAI, OpenAI


class Summarizer:
    @cached_property
    def llm(self) -> AsyncOpenAI:
        return AsyncOpenAI()

    async def summarize_async(self, text: str) -> str:
        reply = await self.llm.chat.completions.create(model="m", messages=[])
        return f"{reply}{text}"

    def summarize(self, text: str) -> str:
        return asyncio.run(self.summarize_async(text))  # error: LD103 "summarize" "Summarizer.llm"


class SyncOnly:
    @cached_property
    def llm(self) -> OpenAI:  # a sync client: no loop to outlive
        return OpenAI()

    async def ask_async(self, text: str) -> str:
        return str(self.llm.chat.completions.create(model="m", messages=[]))

    def ask(self, text: str) -> str:
        return asyncio.run(self.ask_async(text))


class PerCall:
    @property
    def http(self) -> httpx.AsyncClient:  # a plain property: a new client on every access
        return httpx.AsyncClient()

    async def fetch_async(self, url: str) -> str:
        async with self.http as http:
            return (await http.get(url)).text

    def fetch(self, url: str) -> str:
        return asyncio.run(self.fetch_async(url))


class AsyncOnly:
    @cached_property
    def http(self) -> httpx.AsyncClient:  # used by coroutines of one loop only: silent
        return httpx.AsyncClient()

    async def fetch(self, url: str) -> str:
        return (await self.http.get(url)).text
