"""Any other client, through the user's ``--call MOD:FN``: ``async FN(client, prompt) -> str``.

It covers what the built-in kinds cannot: a LangChain chat model's ``ainvoke``, a pydantic-ai
agent, a client wrapped in the user's own class. A ``stream`` parameter, if FN has one, says
whether the scenario streams.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from loopdoctor.run.clients.kind import Ask, ClientKind

UserCall = Callable[..., Awaitable[Any]]


def takes_stream(fn: UserCall) -> bool:
    try:
        return "stream" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


class CallKind(ClientKind):
    name = "call"
    describes = "a client asked by your --call function"
    library = ""

    def __init__(self, target: str, fn: UserCall) -> None:
        self.target = target
        self._fn = fn
        self._stream = takes_stream(fn)

    def fits(self, client: Any) -> bool:
        return True

    async def ask(self, client: Any, ask: Ask) -> AsyncIterator[str]:
        kwargs = {"stream": ask.stream} if self._stream else {}
        answer = await self._fn(client, ask.text, **kwargs)
        if not isinstance(answer, str):
            raise TypeError(f"--call {self.target} returned {type(answer).__name__!r}, not the "
                            "answer's text (str)")
        yield answer
