"""The kinds of client a cell can ask: which one a client is, and the one ``--client`` names."""

from __future__ import annotations

from typing import Any

from loopdoctor.run.clients.aiohttp_session import AiohttpKind
from loopdoctor.run.clients.anthropic_sdk import AnthropicKind
from loopdoctor.run.clients.httpx_client import Httpx, Httpx2
from loopdoctor.run.clients.kind import Ask, ClientKind, installed
from loopdoctor.run.clients.openai_sdk import OpenAIKind
from loopdoctor.run.clients.user_call import CallKind

__all__ = ["KINDS", "Ask", "CallKind", "ClientKind", "UnknownClientError", "installed",
           "recognise"]

KINDS: dict[str, ClientKind] = {
    kind.name: kind for kind in (OpenAIKind(), AnthropicKind(), Httpx(), Httpx2(), AiohttpKind())
}
DEFAULT = "openai"


class UnknownClientError(TypeError):
    """A factory returned something no kind fits, and there is no --call to ask it."""


def recognise(client: Any) -> ClientKind:
    kind = next((kind for kind in KINDS.values() if kind.fits(client)), None)
    if kind is None:
        raise UnknownClientError(
            f"the factory returned {type(client).__name__!r}: not a client loopdoctor knows how "
            "to ask (loopdoctor list clients); pass --call MOD:FN, "
            "async def FN(client, prompt) -> str")
    return kind


def label(name: str, call: str | None = None) -> str:
    """What a report calls the libraries under a kind of client."""
    return f"--call {call}" if name == CallKind.name else KINDS[name].label


def available() -> list[str]:
    """The kinds whose library is installed."""
    return [name for name, kind in KINDS.items() if installed(kind.library)]
