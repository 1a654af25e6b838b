import asyncio
from concurrent.futures import ThreadPoolExecutor

from llmlib.backends import Backend


class Agent:
    def __init__(self, backend: Backend):
        self.backend = backend

    async def ainvoke(self, prompt: str) -> str:
        return await self.backend.generate(prompt)

    def __call__(self, prompt: str) -> str:
        def execute() -> str:
            return asyncio.run(self.ainvoke(prompt))  # error: LD101 "OpenAIBackend._async_client"

        with ThreadPoolExecutor() as executor:
            return executor.submit(execute).result()
