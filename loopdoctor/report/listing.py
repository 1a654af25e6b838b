"""``loopdoctor list``: one table per kind of thing the tool knows about."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text


@dataclass(frozen=True)
class Listing:
    title: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


def render(listing: Listing, console: Console | None = None) -> None:
    table = Table(*listing.columns, title=listing.title)
    for row in listing.rows:
        table.add_row(*map(Text, row))  # plain text: "[loop, client]" is no markup
    (console or Console()).print(table)
