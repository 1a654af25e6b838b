"""The runtime guard: a loop-bound object used from a foreign loop raises ``CrossLoopError``.

``from loopdoctor import guard; guard.install()`` for the whole process, ``with
guard.guarded():`` for a block. The parts:

- :mod:`loopdoctor.guard.runtime`: install / uninstall, the error and its message, events;
- :mod:`loopdoctor.guard.binding`: the registry of patched methods that learns which loop each
  object belongs to;
- :mod:`loopdoctor.guard.pytest_plugin`: ``pytest --loopdoctor-guard`` and the fixtures;
- :mod:`loopdoctor.guard.exec_`: ``loopdoctor exec -- CMD``.

The pytest plugin is loaded by every pytest run of the environment, and imports this package
first: the runtime (asyncio and the registry) is imported when one of its names is first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["CrossLoopError", "ForeignUse", "clear", "events", "explain", "guarded", "install",
           "installed", "mode_from_env", "uninstall"]

if TYPE_CHECKING:
    from loopdoctor.guard.runtime import (
        CrossLoopError,
        ForeignUse,
        clear,
        events,
        explain,
        guarded,
        install,
        installed,
        mode_from_env,
        uninstall,
    )


def __getattr__(name: str) -> Any:
    runtime = importlib.import_module("loopdoctor.guard.runtime")
    try:
        return getattr(runtime, name)
    except AttributeError:
        raise AttributeError(f"module 'loopdoctor.guard' has no attribute {name!r}") from None
