"""What the fake OpenAI API answers, and the faults a request can ask for.

Shared by the HTTP server (``server``), the transport mock (``mock``) and the cells, none of
which needs the others' libraries: a chat completion echoes the last user message, so a
scenario can check every response.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from typing import Any

FAULTS_HEADER = "x-loopdoctor-faults"
CHUNK_WORDS = 3  # words per streamed chunk
MODEL = "loopdoctor-echo"


@dataclass(frozen=True)
class Faults:
    latency: float = 0.0  # seconds before the response
    interval: float = 0.0  # seconds between two stream chunks
    stall: bool = False  # accept the request, never answer
    status: int | None = None  # answer with this error status (429, 500, 503, ...)
    retry_after: float | None = None  # Retry-After header sent with an error status
    drop_after: int | None = None  # reset the connection after this many stream chunks

    def __str__(self) -> str:
        """The ``key=value,...`` form :meth:`parse` reads."""
        return ",".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self)
                        if getattr(self, f.name) != f.default)

    @classmethod
    def parse(cls, text: str, base: Faults | None = None) -> Faults:
        """Parse ``latency=0.05,status=503,retry_after=0`` on top of ``base``."""
        types = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            key, _, raw = item.partition("=")
            key = key.strip().replace("-", "_")
            if key not in types:
                raise ValueError(f"unknown fault {key!r}; known: {', '.join(types)}")
            if "bool" in str(types[key]):
                values[key] = raw.strip().lower() in ("", "1", "true", "yes")
            elif "int" in str(types[key]):
                values[key] = int(raw)
            else:
                values[key] = float(raw)
        return replace(base or cls(), **values)


MODELS = {"object": "list",
          "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "loopdoctor"}]}


def last_user_message(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):  # content parts
                return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            return str(content)
    return ""


def pieces(text: str) -> list[str]:
    """``text`` cut into stream chunks of a few words; joined, they give ``text`` back."""
    words = text.split(" ")
    return [("" if i == 0 else " ") + " ".join(words[i:i + CHUNK_WORDS])
            for i in range(0, len(words), CHUNK_WORDS)]


def completion(text: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-loopdoctor",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", MODEL),
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": len(text.split()), "completion_tokens": len(text.split()),
                  "total_tokens": 2 * len(text.split())},
    }


def chunk(content: str, body: dict[str, Any], finish: str | None) -> dict[str, Any]:
    delta = {"role": "assistant", "content": content} if finish is None else {}
    return {
        "id": "chatcmpl-loopdoctor",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": body.get("model", MODEL),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def sse(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload)}\n\n"


def answer(method: str, path: str, body: bytes) -> tuple[int, str, bytes]:
    """The endpoint's answer without a server: (status, content type, body), for transport mocks."""
    if method == "GET" and path.endswith("/models"):
        return 200, "application/json", json.dumps(MODELS).encode()
    request = json.loads(body or b"{}")
    text = last_user_message(request)
    if not request.get("stream"):
        return 200, "application/json", json.dumps(completion(text, request)).encode()
    events = [sse(chunk(piece, request, None)) for piece in pieces(text)]
    events += [sse(chunk("", request, "stop")), "data: [DONE]\n\n"]
    return 200, "text/event-stream", "".join(events).encode()
