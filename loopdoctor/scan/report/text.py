"""Text output like ruff's: ``path:line:col: CODE message``, a code frame on request."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from loopdoctor.scan import ScanResult
from loopdoctor.scan.finding import Finding

if TYPE_CHECKING:
    from loopdoctor.report.listing import Listing

_CONTEXT_LINES = 2


def render(result: ScanResult, console: Console, show_source: bool = False) -> None:
    for finding in result.findings:
        console.print(_headline(finding), soft_wrap=True)
        if show_source:
            frame = _code_frame(finding)
            if frame is not None:
                console.print(frame)
    console.print(_summary(result), highlight=False)


def render_statistics(result: ScanResult, console: Console) -> None:
    counts = Counter((f.code, f.name) for f in result.findings)
    width = max((len(str(n)) for n in counts.values()), default=1)
    for (code, name), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        console.print(Text.assemble((f"{count:>{width}}", "bold"), "\t", (code, "bold red"),
                                    "\t", name), soft_wrap=True)


def _headline(finding: Finding) -> Text:
    return Text.assemble(
        (finding.path, "bold"), (":", "cyan"), str(finding.line), (":", "cyan"),
        str(finding.column), (":", "cyan"), " ", (finding.code, "bold red"), " ",
        finding.message,
    )


def _code_frame(finding: Finding):
    from rich.syntax import Syntax  # pygments is slow to import; only --show-source needs it

    try:
        source = Path(finding.path).read_text(errors="replace")
    except OSError:
        return None
    last = max(finding.end_line, finding.line)
    return Syntax(
        source, "python", line_numbers=True,
        line_range=(max(1, finding.line - _CONTEXT_LINES), last + _CONTEXT_LINES),
        highlight_lines=set(range(finding.line, last + 1)), word_wrap=False,
        theme="ansi_dark",
    )


def _summary(result: ScanResult) -> Text:
    baselined = f" ({result.baselined} more in the baseline)" if result.baselined else ""
    if not result.findings:
        return Text(f"All checks passed! ({result.files_scanned} files){baselined}", "green")
    files = len({f.path for f in result.findings})
    noun = "finding" if len(result.findings) == 1 else "findings"
    return Text(f"Found {len(result.findings)} {noun} in {files} "
                f"{'file' if files == 1 else 'files'} "
                f"({result.files_scanned} scanned){baselined}.", "bold")


def rules_listing() -> Listing:
    from loopdoctor.report.listing import Listing
    from loopdoctor.scan.rules import ALL_RULES

    rows = [(rule.code, rule.name, rule.summary) for rule in ALL_RULES]
    return Listing("scan rules", ("code", "name", "summary"), rows)
