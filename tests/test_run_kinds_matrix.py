"""The built-in matrix on every other kind of client installed: each verdict the one declared."""

from __future__ import annotations

import pytest

from loopdoctor.run.clients import KINDS, installed
from loopdoctor.run.harness.plan import preload
from loopdoctor.run.harness.runner import Cell, RunOptions
from loopdoctor.run.harness.session import execute
from loopdoctor.run.scenario import load
from loopdoctor.run.strategies import BUILTINS

pytestmark = pytest.mark.timeout(240)
TIMEOUT = 3.0  # the retrying SDKs wait out backoffs of up to ~1 s: room on a busy machine
OTHER_KINDS = [name for name, kind in KINDS.items()
               if name != "openai" and installed(kind.library)]


@pytest.mark.parametrize("kind", OTHER_KINDS)
def test_every_verdict_on_this_kind_is_the_one_declared(kind: str) -> None:
    cells = [Cell(scenario, strategy) for strategy, cls in BUILTINS.items()
             if cls.serves(KINDS[kind]) for scenario in load()]
    report = execute(cells, RunOptions(timeout=TIMEOUT, client=kind,
                                       preload=preload(cells, kind)))
    unexpected = [f"{r.cell.strategy} × {r.cell.scenario}: {r.outcome.value}, expected "
                  f"{r.expected.value if r.expected else None} ({r.explanation})"
                  for r in report.unexpected()]
    assert unexpected == []
    assert {"loop-scoped", "portal", "per-call"} <= set(report.passing())
    assert report.stack.startswith(f"{KINDS[kind].library} ")
