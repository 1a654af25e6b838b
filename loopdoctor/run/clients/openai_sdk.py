"""OpenAI-style clients: ``openai.AsyncOpenAI``, and anything with ``.chat.completions.create``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from loopdoctor.endpoint.answers import MODEL
from loopdoctor.run.clients.kind import WARM_URL, Ask, ClientKind


def _request(ask: Ask) -> dict[str, Any]:
    return {"model": MODEL, "messages": [{"role": "user", "content": ask.text}]}


class OpenAIKind(ClientKind):
    name = "openai"
    describes = "an OpenAI-style client (.chat.completions.create)"
    library = "openai"
    has_sync_client = True
    lazy_imports = ("openai.resources.chat.chat", "openai.resources.chat.completions.completions",
                    "openai.lib.streaming.chat", "openai.pagination")

    def fits(self, client: Any) -> bool:
        completions = getattr(getattr(client, "chat", None), "completions", None)
        return callable(getattr(completions, "create", None))

    async def ask(self, client: Any, ask: Ask) -> AsyncIterator[str]:
        if not ask.stream:
            response = await client.chat.completions.create(**_request(ask))
            yield response.choices[0].message.content
            return
        async for chunk in await client.chat.completions.create(**_request(ask), stream=True):
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content

    def new(self, base_url: str, api_key: str) -> Any:
        return self.module().AsyncOpenAI(base_url=base_url, api_key=api_key)

    def new_sync(self, base_url: str, api_key: str) -> Any:
        return self.module().OpenAI(base_url=base_url, api_key=api_key)

    def mocked(self, http_client: Any) -> Any:
        return self.module().AsyncOpenAI(base_url=WARM_URL, api_key="warm",
                                         http_client=http_client)

    def ask_sync(self, client: Any, ask: Ask) -> Iterator[str]:
        if not ask.stream:
            yield client.chat.completions.create(**_request(ask)).choices[0].message.content
            return
        for chunk in client.chat.completions.create(**_request(ask), stream=True):
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content
