"""``loopdoctor list``: one table per kind of thing the tool knows about."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.table import Table
from rich.text import Text


def _add_row(table: Table, *cells: str) -> None:
    table.add_row(*map(Text, cells))  # plain text: "[loop, client]" is no markup


def _rules() -> Table:
    from loopdoctor.scan.rules import ALL_RULES

    table = Table("code", "name", "summary", title="scan rules")
    for rule in ALL_RULES:
        _add_row(table, rule.code, rule.name, rule.summary)
    return table


def _scenarios() -> Table:
    from loopdoctor.scenario import load

    table = Table("scenario", "requests", "pool", "what it plays", title="scenarios")
    for scenario in load().values():
        pool = f"{scenario.pool_limit} connection" if scenario.pool_limit else "SDK default"
        _add_row(table, scenario.name, str(scenario.requests), pool, scenario.summary)
    return table


def _strategies() -> Table:
    from loopdoctor.strategies import BUILTINS

    table = Table("strategy", "how the client is obtained", title="strategies")
    for name, cls in BUILTINS.items():
        _add_row(table, name, cls.summary)
    return table


LISTERS: dict[str, Callable[[], Table]] = {
    "scenarios": _scenarios,
    "strategies": _strategies,
    "rules": _rules,
}


def render(what: str, console: Console | None = None) -> None:
    (console or Console()).print(LISTERS[what]())
