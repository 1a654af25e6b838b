# The kept form of neg_entry_ends_on_interrupt.py: a sync API that catches Ctrl-C only to raise
# it again is a library's wrapper, called once per request: each call's new loop meets the
# assistant's client.
import asyncio

from openai import AsyncOpenAI


class Assistant:
    def __init__(self):
        self.client = AsyncOpenAI()

    async def ask(self, prompt: str) -> str:
        return str(await self.client.responses.create(model="m", input=prompt))

    def ask_sync(self, prompt: str) -> str:
        try:
            return asyncio.run(self.ask(prompt))  # error: LD103 "ask_sync" "Assistant.client"
        except KeyboardInterrupt:
            print("cancelled")
            raise
