"""Imported once, by the forkserver every cell is forked from: what all cells would pay for.

The SDK stacks import much of themselves lazily, on a first request; each client builds a TLS
context (about 30 ms) that cells, which speak plain HTTP on loopback, never use; and every
``gc.collect()`` in a cell would walk the whole preloaded heap.
"""

from __future__ import annotations

import contextlib
import gc
import importlib

from loopdoctor.run import scenario
from loopdoctor.run.harness import child, sandbox
from loopdoctor.run.sdk import detect

# Cells hold the forkserver's "alive" pipe open, so the forkserver would outlive a parent killed
# with SIGKILL, and its cells (which die with their parent, the forkserver) with it.
child.die_with_parent()

LAZY_IMPORTS = (
    "anyio._backends._asyncio", "anyio.streams.tls", "anyio.streams.stapled", "encodings.idna",
    "stringprep", "jiter", "truststore", "concurrent.futures.thread", detect().core,
    "openai.resources.chat.chat", "openai.resources.chat.completions.completions",
    "openai.lib.streaming.chat", "openai.pagination",
)

for name in LAZY_IMPORTS:
    with contextlib.suppress(ImportError):
        importlib.import_module(name)
scenario.load()
sandbox.share_tls_context()


def _warm_requests() -> None:
    """One request and one stream through the SDK, answered by a mock transport."""
    import asyncio

    import openai

    from loopdoctor.endpoint.answers import answer

    http = detect().http_module()

    def respond(request: object) -> object:
        status, content_type, body = answer(request.method, request.url.path, request.read())
        return http.Response(status, headers={"content-type": content_type}, content=body)

    async def ask() -> None:
        client = openai.AsyncOpenAI(
            base_url="http://127.0.0.1:9/v1", api_key="warm",
            http_client=http.AsyncClient(transport=http.MockTransport(respond)),
        )
        messages = [{"role": "user", "content": "warm up"}]
        await client.chat.completions.create(model="m", messages=messages)
        async for _ in await client.chat.completions.create(model="m", messages=messages,
                                                            stream=True):
            pass
        await client.close()

    asyncio.run(ask())


_warm_requests()
gc.freeze()  # what is loaded now lives for good: the leak check's gc.collect() can skip it
