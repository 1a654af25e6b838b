# The cache lives here; the bridge that reaches it lives in bridge.py.
from openai import AsyncOpenAI

_clients: dict[str, AsyncOpenAI] = {}


def get_client(base_url: str) -> AsyncOpenAI:
    if base_url not in _clients:
        _clients[base_url] = AsyncOpenAI(base_url=base_url)  # error: LD201 "_clients" "AsyncOpenAI"
    return _clients[base_url]
