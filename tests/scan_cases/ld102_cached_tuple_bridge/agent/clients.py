# A process-wide cache of (client, model, loop) tuples keyed by the provider's settings:
# negative for: LD202
# the loop is stored beside the client but only checked for being closed, so a second live
# loop (a bridge's worker thread) gets the first loop's client. The client is made by a
# helper that returns it with the model name.
import threading
from typing import Any, Optional

from openai import AsyncOpenAI, OpenAI

_client_cache: dict[tuple, tuple] = {}
_client_cache_lock = threading.Lock()


def _to_async_client(sync_client: OpenAI, model: str):
    kwargs = {"api_key": sync_client.api_key, "base_url": str(sync_client.base_url)}
    return AsyncOpenAI(**kwargs), model


def _resolve(provider: str, model: str, async_mode: bool) -> tuple[Optional[Any], str]:
    sync_client = OpenAI(base_url=f"http://127.0.0.1:8000/{provider}")
    if async_mode:
        return _to_async_client(sync_client, model)
    return sync_client, model


def get_cached_client(provider: str, model: str, async_mode: bool = False):
    import asyncio

    current_loop = asyncio.get_event_loop() if async_mode else None
    key = (provider, model, async_mode)
    with _client_cache_lock:
        if key in _client_cache:
            client, default_model, loop = _client_cache[key]
            if loop is None or not loop.is_closed():
                return client, default_model
    client, default_model = _resolve(provider, model, async_mode)
    with _client_cache_lock:
        _client_cache[key] = (client, default_model, current_loop)  # error: LD201 "_client_cache" "AsyncOpenAI"
    return client, default_model
