"""``loopdoctor run`` reports: a rich table, JSON (version 1), JUnit XML, GitHub annotations."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from loopdoctor.report import github, junit
from loopdoctor.report.listing import Listing
from loopdoctor.run import scenario as scenario_api
from loopdoctor.run.clients import KINDS, installed
from loopdoctor.run.harness.runner import Cell, CellResult
from loopdoctor.run.harness.session import RunReport, row_name
from loopdoctor.run.strategies import BUILTINS
from loopdoctor.run.verdict import Outcome

STYLES = {
    Outcome.PASS: "green",
    Outcome.HANG: "bold red",
    Outcome.ERROR: "red",
    Outcome.MASKED: "yellow",
    Outcome.LEAK: "magenta",
}


def verdict_text(result: CellResult) -> str:
    text = result.outcome.value
    if result.rate is not None:
        text += f" {round(result.rate * result.runs)}/{result.runs}"
    if result.unexpected:
        text += f" UNEXPECTED (expected {result.expected.value})"  # type: ignore[union-attr]
    return text


# -- table ------------------------------------------------------------------------------------

def render_table(report: RunReport, console: Console, verbose: bool = False) -> None:
    console.print(Text(f"loopdoctor run · {report.stack} · timeout {report.timeout:g}s · "
                       f"{len(report.results)} cells in {report.wall_seconds:.1f}s", style="bold"))
    console.print(_matrix(report))
    passing = report.passing()
    console.print(Text("Pass everything: ", style="bold")
                  + Text(", ".join(passing) if passing else "none", style="green"))
    for result in report.unexpected():
        console.print(Text(f"UNEXPECTED: {row_name(result)} × {result.cell.scenario} was "
                           f"{result.outcome.value}, expected {result.expected.value}",  # type: ignore[union-attr]
                           style="bold red"))
    explanations = _explanations(report.results, verbose)
    if explanations:
        console.print(Text("\nWhy", style="bold"))
        console.print(Group(*explanations))


def _matrix(report: RunReport) -> Table:
    table = Table(show_lines=False, header_style="bold")
    table.add_column("strategy", no_wrap=True)
    for scenario in report.scenario_names():
        table.add_column(scenario.replace("-", "-\n"), no_wrap=True)  # names break at hyphens
    cells = {(row_name(r), r.cell.scenario): r for r in report.results}
    for row in report.row_names():
        line: list[Text | str] = [row]
        for scenario in report.scenario_names():
            result = cells.get((row, scenario))
            line.append(Text(verdict_text(result), style=STYLES[result.outcome]) if result
                        else "-")
        table.add_row(*line)
    return table


def _explanations(results: list[CellResult], verbose: bool) -> list[Text]:
    """One explanation per strategy and outcome (every failed cell with ``verbose``)."""
    seen: set[tuple[str, Outcome]] = set()
    lines: list[Text] = []
    for result in results:
        key = (row_name(result), result.outcome)
        if not result.outcome.failed or (key in seen and not verbose):
            continue
        seen.add(key)
        head = Text(f"{row_name(result)} × {result.cell.scenario}: ", style="bold")
        head.append(result.outcome.value, style=STYLES[result.outcome])
        lines.append(head + Text(f" — {result.explanation}"))
        if verbose and result.diagnostics:
            lines.append(Text(json.dumps(result.diagnostics, indent=2), style="dim"))
    return lines


# -- machines ---------------------------------------------------------------------------------

def to_json(report: RunReport) -> dict[str, Any]:
    return {
        "version": 1,
        "stack": report.stack,
        "timeout": report.timeout,
        "wall_seconds": round(report.wall_seconds, 3),
        "cells": [
            {
                "scenario": r.cell.scenario,
                "strategy": r.cell.strategy,
                "endpoint": r.cell.endpoint,
                "outcome": r.outcome.value,
                "expected": r.expected.value if r.expected else None,
                "unexpected": r.unexpected,
                "seconds": round(r.seconds, 3),
                "rate": r.rate,
                "requests": r.requests.as_json(),
                "explanation": r.explanation,
                "diagnostics": r.diagnostics,
            }
            for r in report.results
        ],
        "passing": report.passing(),
    }


def render_json(report: RunReport) -> str:
    return json.dumps(to_json(report), indent=2) + "\n"


def render_junit(report: RunReport) -> str:
    cases = [
        junit.Case(
            classname=f"loopdoctor.run.{row_name(r)}",
            name=r.cell.scenario,
            seconds=r.seconds,
            failure=f"{verdict_text(r)}: {r.explanation}" if r.outcome.failed else None,
            details=json.dumps(r.diagnostics, indent=2) if r.diagnostics else "",
        )
        for r in report.results
    ]
    return junit.render("loopdoctor run", cases)


def render_github(report: RunReport) -> str:
    lines = []
    for r in report.results:
        if not r.outcome.failed:
            continue
        level = "error" if r.unexpected or r.expected is None else "notice"
        title = f"{row_name(r)} × {r.cell.scenario}: {verdict_text(r)}"
        lines.append(github.annotation(level, r.explanation or r.outcome.value, title=title))
    passing = ", ".join(report.passing()) or "none"
    lines.append(github.annotation("notice", f"Pass everything: {passing}",
                                   title="loopdoctor run"))
    return "\n".join(lines) + "\n"


RENDERERS = {"json": render_json, "junit": render_junit, "github": render_github}


@contextmanager
def progress(console: Console, total: int) -> Iterator[Callable[[Cell], None]]:
    """A progress bar while cells run; yields the callback that advances it."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task("running cells", total=total)

        def advance(cell: Cell) -> None:
            bar.advance(task)

        yield advance


def console(output: Path | None = None, stderr: bool = False) -> Console:
    """Where a report goes: a string for FILE (plain text), or the terminal (wide enough for
    the matrix)."""
    if output is not None:
        return Console(file=io.StringIO(), width=200, no_color=True, highlight=False)
    probe = Console(stderr=stderr)
    return Console(stderr=stderr, highlight=False,
                   width=None if probe.is_terminal else 200)


def check_writable(output: Path) -> None:
    """Raise OSError now if ``output`` cannot be written later; an existing file is left as
    it is until the report replaces it."""
    existed = output.exists()
    with output.open("a", encoding="utf-8"):
        pass
    if not existed:
        output.unlink()


def emit(report: RunReport, output_format: str, output: Path | None, verbose: bool) -> None:
    """Render the report, to the terminal or, complete, to ``output``."""
    target = console(output)
    if output_format == "table":
        render_table(report, target, verbose)
    else:
        target.out(RENDERERS[output_format](report), end="")
    if output is not None:
        output.write_text(target.file.getvalue(), encoding="utf-8")


def scenarios_listing() -> Listing:
    rows = [(s.name, str(s.requests),
             f"{s.pool_limit} connection" if s.pool_limit else "SDK default", s.summary)
            for s in scenario_api.load().values()]
    return Listing("scenarios", ("scenario", "requests", "pool", "what it plays"), rows)


def clients_listing() -> Listing:
    rows = [(name, kind.describes, kind.label if installed(kind.library) else "not installed")
            for name, kind in KINDS.items()]
    return Listing("clients", ("--client", "what a cell asks", "installed"), rows)


def strategies_listing() -> Listing:
    rows = [(name, cls.summary) for name, cls in BUILTINS.items()]
    return Listing("strategies", ("strategy", "how the client is obtained"), rows)
