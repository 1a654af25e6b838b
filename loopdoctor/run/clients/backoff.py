"""The SDKs' retry backoff, fast-forwarded in the clients the built-in strategies make.

openai and anthropic (Stainless SDKs) retry a failed request after a backoff they compute in
``_calculate_retry_timeout`` (0.5 s, doubling, with jitter). A cell learns nothing from
sleeping through it: the retry's outcome is the same at once. So the built-in strategies' clients
get that method wrapped: it still computes the SDK's own delay, which is recorded (it is what
the retries cost in production), and returns 0. The method is private: a client without it
keeps its real wait, and the cell's report says so (``Requests.backoff_waited``). Users'
factories are never touched: their clients show their real behaviour, backoff included.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

HOOK = "_calculate_retry_timeout"


@dataclass
class Backoff:
    """What this process's fast-forwarded clients skipped (a cell is a process of its own)."""

    unhooked: int = 0  # clients that retry, but whose backoff could not be
    retries: int = 0
    seconds: float = 0.0  # the backoff the SDK asked for, not slept
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def skip(self, seconds: float) -> float:
        with self._lock:
            self.retries += 1
            self.seconds += seconds
        return 0.0


SKIPPED = Backoff()


def retries_by_itself(client: Any) -> bool:
    """Whether ``client`` is an SDK client that retries (it has ``max_retries``)."""
    return isinstance(getattr(client, "max_retries", None), int)


def fast_forward(client: Any) -> Any:
    """``client``, whose retries no longer sleep their backoff but record it in SKIPPED."""
    if not retries_by_itself(client):
        return client
    computed = getattr(client, HOOK, None)
    if not callable(computed):
        SKIPPED.unhooked += 1
        return client

    def skipped(*args: Any, **kwargs: Any) -> float:
        return SKIPPED.skip(computed(*args, **kwargs))

    setattr(client, HOOK, skipped)
    return client
