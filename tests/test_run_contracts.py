"""The contracts between run's parts: what a cell reports, and what strategies declare."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from loopdoctor.run.cell_report import CellReport, ErrorInfo, HangInfo, LeakInfo, Requests
from loopdoctor.run.scenario import load
from loopdoctor.run.strategies import BUILTINS, Strategy


@pytest.mark.parametrize("strategy", BUILTINS.values(), ids=list(BUILTINS))
def test_every_expectation_names_a_built_in_scenario(strategy: type[Strategy]) -> None:
    """A typo or a renamed scenario would otherwise read as "expected PASS", silently."""
    known = set(load())
    for table in (strategy.expected, strategy.expected_with_mock):
        assert set(table) - known == set()


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
