# A method, or a function given an object, that swallows Ctrl-C around its loop is no
# program's top level: the object outlives the call, and a second call with it starts a second
# loop over what it keeps.
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


def chat_in_terminal(assistant: Assistant, prompt: str = "hello") -> None:
    """A function given the object: called again with the same assistant, a second loop."""
    try:
        asyncio.run(assistant.ask(prompt))  # error: LD103 "chat_in_terminal" "Assistant.client"
    except KeyboardInterrupt:
        pass
