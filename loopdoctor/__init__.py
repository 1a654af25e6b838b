"""Reproduce, detect and explain cross-event-loop deadlocks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["CrossLoopError"]

if TYPE_CHECKING:
    from loopdoctor.guard.runtime import CrossLoopError


def __getattr__(name: str) -> Any:
    if name == "CrossLoopError":  # lazily: the guard imports asyncio
        from loopdoctor.guard.runtime import CrossLoopError

        return CrossLoopError
    raise AttributeError(f"module 'loopdoctor' has no attribute {name!r}")
