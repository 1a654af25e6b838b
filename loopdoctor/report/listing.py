"""``loopdoctor list``: one table per kind of thing the tool knows about."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.table import Table


def _rules() -> Table:
    from loopdoctor.scan.rules import ALL_RULES

    table = Table("code", "name", "summary", title="scan rules")
    for rule in ALL_RULES:
        table.add_row(rule.code, rule.name, rule.summary)
    return table


LISTERS: dict[str, Callable[[], Table]] = {"rules": _rules}


def render(what: str, console: Console | None = None) -> None:
    (console or Console()).print(LISTERS[what]())
