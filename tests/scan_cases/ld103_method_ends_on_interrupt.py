# A method that swallows Ctrl-C around its loop is no program's top level: its object outlives
# the call, and a second run() on the same object starts a second loop over what it keeps.
import asyncio

from openai import AsyncOpenAI


class Assistant:
    def __init__(self):
        self.client = AsyncOpenAI()

    async def ask(self, prompt: str) -> str:
        return str(await self.client.responses.create(model="m", input=prompt))

    def run(self, prompt: str) -> None:
        try:
            asyncio.run(self.ask(prompt))  # error: LD103 "run" "Assistant.client"
        except KeyboardInterrupt:
            pass
