"""Imported once, by the forkserver every cell is forked from: what all cells would pay for.

First of the forkserver's modules: the harness's own, and what any first request imports lazily.
Then come the client library the run needs and the user's modules, then ``warm``: the SDK stacks
import much of themselves lazily, on a first request; each client builds a TLS context (about
30 ms) that cells, which speak plain HTTP on loopback, never use; and every ``gc.collect()`` in a
cell would walk the whole preloaded heap.
"""

from __future__ import annotations

import contextlib
import importlib
import signal

from loopdoctor.run import scenario
from loopdoctor.run.harness import child

# Cells hold the forkserver's "alive" pipe open, so the forkserver would outlive a parent killed
# with SIGKILL, and its cells (which die with their parent, the forkserver) with it.
child.die_with_parent()
# Started with SIGINT ignored and blocked (a Ctrl-C meant for the parent is held there, not here):
# unblocked, it stays ignored, and the cells do not inherit a blocked SIGINT.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

# What any first request imports lazily, whatever the client.
LAZY_IMPORTS = ("encodings.idna", "stringprep", "concurrent.futures.thread")

for name in LAZY_IMPORTS:
    with contextlib.suppress(ImportError):
        importlib.import_module(name)
scenario.load()
