"""The contracts between run's parts: what a cell reports, and what strategies declare."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from loopdoctor.run.cell_report import CellReport, ErrorInfo, HangInfo, LeakInfo, Requests
from loopdoctor.run.clients import KINDS
from loopdoctor.run.harness.plan import ENDPOINTS
from loopdoctor.run.scenario import load
from loopdoctor.run.strategies import BUILTINS, SHARING, Strategy


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("strategy", BUILTINS.values(), ids=list(BUILTINS))
def test_every_expectation_names_a_built_in_scenario(strategy: type[Strategy], kind: str) -> None:
    """A typo or a renamed scenario would otherwise read as "expected PASS", silently."""
    known = set(load())
    for endpoint in ENDPOINTS:
        assert set(strategy.expectations(kind, endpoint)) - known == set()


def test_every_kind_of_client_declares_how_it_shares_a_pool() -> None:
    assert set(SHARING) == set(KINDS)


def test_a_cell_report_crosses_the_pipe_whole_and_cannot_be_changed() -> None:
    try:
        raise RuntimeError("Event loop is closed") from OSError("reset")
    except RuntimeError as exc:
        error = ErrorInfo.of(exc)
    report = CellReport(seconds=1.5, requests=Requests(made=3), error=error,
                        leak=LeakInfo(clients_open=2), hang=HangInfo(server={"in_flight": 0}))
    assert pickle.loads(pickle.dumps(report)) == report
    assert error.chain == "RuntimeError: Event loop is closed <- OSError: reset"
    assert error.cross_loop == "the client's connections belong to a loop that has closed"
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.seconds = 2.0  # type: ignore[misc]
