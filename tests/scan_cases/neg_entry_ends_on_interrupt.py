# A program's top level that the user ends with Ctrl-C: `try: asyncio.run(...) except
# KeyboardInterrupt: pass` around the loop (each branch one loop) ends the process with it, so it
# runs once per process, like main(). Its kept form is ld103_loop_reraises_interrupt.py.
# negative for: LD103
import asyncio

from openai import AsyncOpenAI


class Assistant:
    def __init__(self):
        self.client = AsyncOpenAI()

    async def ask(self, prompt: str) -> str:
        return str(await self.client.responses.create(model="m", input=prompt))

    def start(self, command: str | None = None) -> None:
        try:
            if command:
                asyncio.run(self.ask(command))
            else:
                asyncio.run(self.ask("hello"))
        except (KeyboardInterrupt, SystemExit):
            pass
