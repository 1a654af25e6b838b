"""Which cells to run: the selection on the command line, checked before anything starts."""

from __future__ import annotations

from pathlib import Path

from loopdoctor.run import scenario as scenario_api
from loopdoctor.run import strategies
from loopdoctor.run.harness.runner import Cell

ENDPOINTS = ("loopback", "respx")


class PlanError(Exception):
    """A selection that cannot run: the message says what is valid."""


def _check_names(kind: str, asked: list[str], known: list[str]) -> None:
    unknown = [name for name in asked if name not in known]
    if unknown:
        raise PlanError(f"unknown {kind} {', '.join(map(repr, unknown))}; "
                        f"valid: {', '.join(known)}")


def plan(
    scenarios: list[str],
    strategy_names: list[str],
    factory: str | None = None,
    endpoints: list[str] | None = None,
    scenario_dirs: list[Path] | None = None,
) -> list[Cell]:
    """Every (strategy, scenario, endpoint) cell to run, in table order (names are checked
    here; the factory's import is :func:`check_targets`'s)."""
    for folder in scenario_dirs or []:
        if not folder.is_dir():
            raise PlanError(f"--scenarios {folder}: not a directory")
    try:
        known = scenario_api.load(scenario_dirs or [])
    except scenario_api.ScenarioLoadError as exc:
        raise PlanError(f"cannot load scenario {exc}") from None
    _check_names("scenario", scenarios, list(known))
    _check_names("strategy", strategy_names, list(strategies.BUILTINS))
    endpoints = endpoints or ["loopback"]
    _check_names("endpoint", endpoints, list(ENDPOINTS))
    rows = strategy_names or ([] if factory else list(strategies.BUILTINS))
    rows = rows + ([factory] if factory else [])
    return [Cell(scenario, strategy, endpoint)
            for endpoint in endpoints for strategy in rows
            for scenario in (scenarios or list(known))]


def check_targets(factory: str | None, bridge: str | None) -> None:
    """Import the user's factory and bridge here, so that a broken one stops the run before any
    cell (importing them can take as long as the harness's start: do it meanwhile)."""
    for target in filter(None, (factory, bridge)):
        try:
            strategies.load_callable(target)
        except strategies.LoadError as exc:
            raise PlanError(str(exc)) from None


def preload(cells: list[Cell], factory: str | None, bridge: str | None) -> tuple[str, ...]:
    """The modules these cells will import, for the forkserver to import once: the user's, and
    the respx mode's."""
    modules = [target.partition(":")[0] for target in (factory, bridge) if target]
    if any(cell.endpoint == "respx" for cell in cells):
        modules.append("loopdoctor.endpoint.mock")
    return tuple(modules)
