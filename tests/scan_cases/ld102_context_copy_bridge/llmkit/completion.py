# The provider builds its async client lazily and keeps it on the instance.
from openai import AsyncOpenAI

from llmkit.sync import call_sync


class Completion:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self._client = None

    def _build_client(self) -> AsyncOpenAI:
        return AsyncOpenAI(base_url=self.base_url)

    def _client_for_call(self):
        if self._client is None:
            self._client = self._build_client()  # error: LD204 "Completion._client" "AsyncOpenAI"
        return self._client

    async def acomplete(self, prompt: str) -> str:
        response = await self._client_for_call().chat.completions.create(model="m", messages=[])
        return response.choices[0].message.content

    def complete(self, prompt: str) -> str:
        return call_sync(self.acomplete(prompt))
