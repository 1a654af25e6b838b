"""What the fake LLM API answers, and the faults a request can ask for.

Shared by the HTTP server (``server``), the transport mock (``mock``) and the cells, none of
which needs the others' libraries. Three APIs, each echoing the question so that a scenario can
check every response: OpenAI's chat completions (``.../chat/completions``), Anthropic's Messages
(``.../messages``) and a plain echo of the request body (``.../echo``, streamed with
``?stream=1``), for raw HTTP clients.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields, replace
from typing import Any

FAULTS_HEADER = "x-loopdoctor-faults"
# A question can carry its own faults, for callers that cannot set a header (a user's --call).
FAULTS_TAG = re.compile(r"\[loopdoctor-faults: ([^\]]*)\]")
CHUNK_WORDS = 3  # words per streamed chunk
MODEL = "loopdoctor-echo"
APIS = ("chat/completions", "messages", "echo")


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

    def tag(self) -> str:
        """The same, as a tag to append to a question."""
        return f"[loopdoctor-faults: {self}]"

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


@dataclass(frozen=True)
class Question:
    """One request to an API, as far as the answer depends on it."""

    api: str  # one of APIS
    text: str  # what the answer echoes
    stream: bool
    model: str = MODEL

    @property
    def faults(self) -> str:
        """The faults the question's text asks for (``key=value,...``), if any."""
        return ",".join(FAULTS_TAG.findall(self.text))


def api_of(path: str) -> str | None:
    """Which API a path asks for, whatever prefix (``/v1``, ``/c/<cell>/v1``...) it has."""
    return next((api for api in APIS if path.rstrip("/").endswith("/" + api)), None)


def question(api: str, body: bytes, query: str = "") -> Question:
    if api == "echo":
        return Question(api, body.decode("utf-8", "replace"), stream="stream=1" in query)
    request = json.loads(body or b"{}")
    return Question(api, last_user_message(request), bool(request.get("stream")),
                    request.get("model") or MODEL)


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


# -- OpenAI's chat completions ------------------------------------------------------------------

def completion(q: Question) -> dict[str, Any]:
    words = len(q.text.split())
    return {
        "id": "chatcmpl-loopdoctor", "object": "chat.completion", "created": 0, "model": q.model,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": q.text}}],
        "usage": {"prompt_tokens": words, "completion_tokens": words, "total_tokens": 2 * words},
    }


def chunk(q: Question, content: str, finish: str | None) -> dict[str, Any]:
    delta = {"role": "assistant", "content": content} if finish is None else {}
    return {"id": "chatcmpl-loopdoctor", "object": "chat.completion.chunk", "created": 0,
            "model": q.model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def sse(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload)}\n\n"


def chat_events(q: Question) -> list[str]:
    events = [sse(chunk(q, piece, None)) for piece in pieces(q.text)]
    return [*events, sse(chunk(q, "", "stop")), "data: [DONE]\n\n"]


# -- Anthropic's Messages -----------------------------------------------------------------------

def message(q: Question, content: list[dict[str, Any]], stop: str | None) -> dict[str, Any]:
    words = len(q.text.split())
    return {"id": "msg_loopdoctor", "type": "message", "role": "assistant", "model": q.model,
            "content": content, "stop_reason": stop, "stop_sequence": None,
            "usage": {"input_tokens": words, "output_tokens": words if stop else 0}}


def event(name: str, **payload: Any) -> str:
    return f"event: {name}\ndata: {json.dumps({'type': name, **payload})}\n\n"


def message_events(q: Question) -> list[str]:
    """Anthropic's sequence: message_start, one text block's start, deltas and stop, then
    message_delta (the stop reason) and message_stop."""
    deltas = [event("content_block_delta", index=0, delta={"type": "text_delta", "text": piece})
              for piece in pieces(q.text)]
    return [
        event("message_start", message=message(q, [], None)),
        event("content_block_start", index=0, content_block={"type": "text", "text": ""}),
        *deltas,
        event("content_block_stop", index=0),
        event("message_delta", delta={"stop_reason": "end_turn", "stop_sequence": None},
              usage={"output_tokens": len(q.text.split())}),
        event("message_stop"),
    ]


# -- every API ------------------------------------------------------------------------------------

def reply(q: Question) -> tuple[str, bytes]:
    """(content type, body) of a whole answer."""
    if q.api == "echo":
        return "text/plain; charset=utf-8", q.text.encode()
    if q.api == "messages":
        payload = message(q, [{"type": "text", "text": q.text}], "end_turn")
    else:
        payload = completion(q)
    return "application/json", json.dumps(payload).encode()


def stream(q: Question) -> tuple[str, list[str]]:
    """(content type, chunks) of a streamed answer."""
    if q.api == "echo":
        return "text/plain; charset=utf-8", pieces(q.text)
    return "text/event-stream", message_events(q) if q.api == "messages" else chat_events(q)


def error(api: str, status: int) -> dict[str, Any]:
    text = f"loopdoctor fault: status {status}"
    if api == "messages":
        return {"type": "error", "error": {"type": "api_error", "message": text}}
    return {"error": {"message": text, "type": "loopdoctor_fault", "code": str(status)}}


def answer(method: str, path: str, body: bytes, query: str = "") -> tuple[int, str, bytes]:
    """The endpoint's answer without a server: (status, content type, body), for transport mocks."""
    if method == "GET" and path.endswith("/models"):
        return 200, "application/json", json.dumps(MODELS).encode()
    api = api_of(path)
    if api is None:
        return 404, "application/json", json.dumps({"error": {"message": "not found"}}).encode()
    q = question(api, body, query)
    if not q.stream:
        return 200, *reply(q)
    content_type, chunks = stream(q)
    return 200, content_type, "".join(chunks).encode()
