"""Imported by the forkserver after the client libraries the run needs (and the user's modules):
warms up every kind of client whose library is imported by then, once for every cell."""

from __future__ import annotations

import gc
import sys

from loopdoctor.run.clients import KINDS
from loopdoctor.run.harness import sandbox

for kind in KINDS.values():
    if kind.library in sys.modules:
        kind.warm()
for http in sandbox.HTTPX_LIBRARIES:
    if http in sys.modules:
        sandbox.share_tls_context(http)
gc.freeze()  # what is loaded now lives for good: the leak check's gc.collect() can skip it
