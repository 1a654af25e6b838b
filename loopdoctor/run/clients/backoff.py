"""The SDKs' retry backoff, fast-forwarded in every client a cell is given.

openai and anthropic (Stainless SDKs) retry a failed request after a backoff they compute in
``_calculate_retry_timeout`` (0.5 s, doubling, with jitter). A cell learns nothing from
sleeping through it: the retry and its outcome are the same at once. So when a cell gets a
client, from a built-in strategy or from the user's ``--factory``, the SDK class that defines
that method has it wrapped, once per cell process: it still computes the SDK's own delay, which
is recorded (it is what the retries cost in production), and returns 0. Only that sleep
changes: the retries themselves, ``max_retries`` and what the server sees are the client's own,
and MASKED is decided from the requests the server saw beyond those the scenario made, never
from the time a cell took, so no verdict depends on it. The method is private: a client whose
class does not have it (an SDK that renamed it, or a wrapper around a client) keeps its real
wait, and the cell's report says so (``Requests.backoff_waited``).
"""

from __future__ import annotations

import inspect
import threading
from dataclasses import dataclass, field
from typing import Any

HOOK = "_calculate_retry_timeout"
SKIPS = "__loopdoctor_skips_backoff__"  # marks the wrapper: a class is wrapped once


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


def hook_owner(cls: type) -> type | None:
    """The class whose own method computes ``cls``'s backoff, if a plain method does."""
    owner = next((base for base in cls.__mro__ if HOOK in vars(base)), None)
    return owner if owner is not None and inspect.isfunction(vars(owner)[HOOK]) else None


def fast_forward(client: Any) -> Any:
    """``client``, whose class's retries no longer sleep their backoff but record it in
    SKIPPED (and so every client of that SDK in this process: a copy, ``with_options``)."""
    if not retries_by_itself(client):
        return client
    owner = hook_owner(type(client))
    if owner is None:
        SKIPPED.unhooked += 1
        return client
    computed = vars(owner)[HOOK]
    if getattr(computed, SKIPS, False):
        return client

    def skipped(self: Any, *args: Any, **kwargs: Any) -> float:
        return SKIPPED.skip(computed(self, *args, **kwargs))

    setattr(skipped, SKIPS, True)
    setattr(owner, HOOK, skipped)
    return client
