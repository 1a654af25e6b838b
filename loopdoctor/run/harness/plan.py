"""Which cells to run: the selection on the command line, checked before anything starts."""

from __future__ import annotations

from pathlib import Path

from loopdoctor.run import clients, strategies
from loopdoctor.run import scenario as scenario_api
from loopdoctor.run.harness import forkserver
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
    client: str = clients.DEFAULT,
    call: str | None = None,
) -> list[Cell]:
    """Every (strategy, scenario, endpoint) cell to run, in table order (names are checked
    here; the factory's import is :meth:`Harness.check_targets`'s)."""
    kind = _client_kind(client)
    if call and not factory:
        raise PlanError("--call asks the clients your --factory returns: give --factory too")
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
    served = [name for name, cls in strategies.BUILTINS.items() if cls.serves(kind)]
    for name in strategy_names:
        if name not in served:
            raise PlanError(f"--strategy {name} cannot be played with --client {client}: "
                            f"{kind.library} has no blocking client")
    if "respx" in endpoints and kind.http not in ("httpx", "httpx2"):
        raise PlanError(f"--endpoint respx mocks httpx and httpx2, not {kind.library}")
    rows = strategy_names or ([] if factory else served)
    rows = rows + ([factory] if factory else [])
    return [Cell(scenario, strategy, endpoint)
            for endpoint in endpoints for strategy in rows
            for scenario in (scenarios or list(known))]


def _client_kind(name: str) -> clients.ClientKind:
    _check_names("client", [name], list(clients.KINDS))
    kind = clients.KINDS[name]
    if not clients.installed(kind.library):
        raise PlanError(f"--client {name}: {kind.library} is not installed "
                        f"(pip install {kind.library})")
    return kind


def preload(cells: list[Cell], client: str = clients.DEFAULT) -> tuple[str, ...]:
    """The libraries these cells will import, for the forkserver to import once (the user's
    modules are named by RunOptions.targets)."""
    return forkserver.libraries(clients.KINDS[client].library,
                                any(cell.strategy in strategies.BUILTINS for cell in cells),
                                any(cell.endpoint == "respx" for cell in cells))
