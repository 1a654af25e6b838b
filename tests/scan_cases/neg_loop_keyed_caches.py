# Caches keyed by the loop object itself: correct per-loop caching, silent.
# negative for: LD201, LD401
import asyncio
import weakref

from openai import AsyncOpenAI

_per_loop: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_by_loop: dict = {}
_client: AsyncOpenAI | None = None
_client_loop: asyncio.AbstractEventLoop | None = None


def weak_client() -> AsyncOpenAI:
    loop = asyncio.get_running_loop()
    if loop not in _per_loop:
        _per_loop[loop] = AsyncOpenAI()
    return _per_loop[loop]


def dict_client(model: str) -> AsyncOpenAI:
    key = (asyncio.get_running_loop(), model)
    if key not in _by_loop:
        _by_loop[key] = AsyncOpenAI()
    return _by_loop[key]


def checked_client() -> AsyncOpenAI:
    global _client, _client_loop
    loop = asyncio.get_running_loop()
    if _client is None or _client_loop is not loop:
        _client = AsyncOpenAI()
        _client_loop = loop
    return _client
