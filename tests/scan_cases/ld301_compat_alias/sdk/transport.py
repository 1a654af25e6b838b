# negative for: LD301
from typing import TYPE_CHECKING

from sdk._compat import httpx

if TYPE_CHECKING:
    from openai import AsyncOpenAI

shared_http = httpx.AsyncClient(timeout=30)  # error: LD301 "AsyncClient" "shared_http"
sync_http = httpx.Client(timeout=30)  # a sync client: fine
_llm: "AsyncOpenAI | None" = None  # only annotated: nothing made at import


def limits() -> "httpx.Limits":
    return httpx.Limits(max_connections=10)
