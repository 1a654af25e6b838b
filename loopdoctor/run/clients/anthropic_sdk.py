"""Anthropic-style clients: ``anthropic.AsyncAnthropic``, and anything with ``.messages.create``.

The SDK appends ``/v1/messages`` to its base URL; the endpoint answers that under the
OpenAI-style base URL a factory is given, so one ``base_url`` serves both SDKs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from loopdoctor.endpoint.answers import MODEL
from loopdoctor.run.clients.kind import MAX_TOKENS, WARM_URL, Ask, ClientKind


def _request(ask: Ask) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": MAX_TOKENS,
            "messages": [{"role": "user", "content": ask.text}]}


def _text(message: Any) -> str:
    return "".join(block.text for block in message.content if block.type == "text")


def _delta(event: Any) -> str:
    return event.delta.text if event.type == "content_block_delta" else ""


class AnthropicKind(ClientKind):
    name = "anthropic"
    describes = "an Anthropic-style client (.messages.create)"
    library = "anthropic"
    has_sync_client = True
    lazy_imports = ("anthropic.resources.messages", "anthropic.lib.streaming")

    def fits(self, client: Any) -> bool:
        return callable(getattr(getattr(client, "messages", None), "create", None))

    async def ask(self, client: Any, ask: Ask) -> AsyncIterator[str]:
        if not ask.stream:
            yield _text(await client.messages.create(**_request(ask)))
            return
        async for event in await client.messages.create(**_request(ask), stream=True):
            if piece := _delta(event):
                yield piece

    def new(self, base_url: str, api_key: str) -> Any:
        return self.module().AsyncAnthropic(base_url=base_url, api_key=api_key)

    def new_sync(self, base_url: str, api_key: str) -> Any:
        return self.module().Anthropic(base_url=base_url, api_key=api_key)

    def mocked(self, http_client: Any) -> Any:
        return self.module().AsyncAnthropic(base_url=WARM_URL, api_key="warm",
                                            http_client=http_client)

    def ask_sync(self, client: Any, ask: Ask) -> Iterator[str]:
        if not ask.stream:
            yield _text(client.messages.create(**_request(ask)))
            return
        for event in client.messages.create(**_request(ask), stream=True):
            if piece := _delta(event):
                yield piece
