"""Every file (or folder) in tests/scan_cases is scanned; each line that must be reported
ends with ``# error: LD101`` (several codes: ``# error: LD101, LD301``); every other line
must stay silent. A folder is one project: its files are joined across modules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loopdoctor.scan import ScanOptions, scan
from loopdoctor.scan.config import Config

CASES = Path(__file__).parent / "scan_cases"
_EXPECTED = re.compile(r"#\s*error:\s*(LD\d{3}(?:\s*,\s*LD\d{3})*)")


def case_paths() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.suffix == ".py" or p.is_dir())


def expected_findings(case: Path) -> set[tuple[str, int, str]]:
    files = [case] if case.is_file() else sorted(case.rglob("*.py"))
    found = set()
    for file in files:
        for number, line in enumerate(file.read_text().splitlines(), start=1):
            if (match := _EXPECTED.search(line)) is not None:
                for code in re.findall(r"LD\d{3}", match[1]):
                    found.add((file.relative_to(CASES).as_posix(), number, code))
    return found


def actual_findings(case: Path) -> set[tuple[str, int, str]]:
    config = Config(root=CASES, select=["ALL"])
    result = scan(ScanOptions([str(case)], config, jobs=1))
    return {(Path(f.path).resolve().relative_to(CASES).as_posix(), f.line, f.code)
            for f in result.findings}


@pytest.mark.parametrize("case", case_paths(), ids=lambda p: p.name)
def test_case(case: Path) -> None:
    expected, actual = expected_findings(case), actual_findings(case)
    assert sorted(actual - expected) == [], "false alarms"
    assert sorted(expected - actual) == [], "missed findings"
