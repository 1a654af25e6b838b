"""Imported by the forkserver after the harness's modules and the client library: the user's
modules (factory, bridge, call), named in its environment. Whatever one raises is left for
``Harness.check_targets`` to report, in a process of its own: the forkserver must survive it.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys

from loopdoctor.run.harness.forkserver import USER_MODULES_VAR

if os.getcwd() not in sys.path:  # they are imported from the current directory
    sys.path.insert(0, os.getcwd())
for name in filter(None, os.environ.get(USER_MODULES_VAR, "").split(",")):
    with contextlib.suppress(BaseException):
        importlib.import_module(name)
