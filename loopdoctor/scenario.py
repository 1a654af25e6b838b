"""The scenario API for your own ``--scenarios DIR``: ``from loopdoctor.scenario import Scenario``.

It lives in :mod:`loopdoctor.run.scenario`; this module keeps the short import path working.
"""

from loopdoctor.run.scenario import OVERLAP, Context, Scenario, run_async, sync_tool

__all__ = ["OVERLAP", "Context", "Scenario", "run_async", "sync_tool"]
