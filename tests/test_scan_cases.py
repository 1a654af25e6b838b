"""Every file (or folder) in tests/scan_cases is scanned; each line that must be reported
ends with ``# error: LD101 "word" "other words"`` (several codes: ``# error: LD101 "a",
LD301 "b"``): the code, and the key words its message must contain (the holder, the type,
the function), as flake8-async's eval files pin a message's arguments. Every other line must
stay silent. A folder is one project: its files are joined across modules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loopdoctor.scan import ScanOptions, scan
from loopdoctor.scan.config import Config

CASES = Path(__file__).parent / "scan_cases"
_ANNOTATION = re.compile(r"#\s*error:\s*(.*)$")
_EXPECTED = re.compile(r'(LD\d{3})((?:\s+"[^"]*")*)')

Key = tuple[str, int, str]  # path in CASES, line, code


def case_paths() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.suffix == ".py" or p.is_dir())


def case_params() -> list:
    """Cases written in Python 3.6's grammar (``python36`` in their name) are marked so."""
    return [pytest.param(p, marks=pytest.mark.python36_grammar) if "python36" in p.name else p
            for p in case_paths()]


def expected_findings(case: Path) -> dict[Key, list[str]]:
    """(path, line, code) -> the words its message must contain."""
    files = [case] if case.is_file() else sorted(case.rglob("*.py"))
    found: dict[Key, list[str]] = {}
    for file in files:
        for number, line in enumerate(file.read_text().splitlines(), start=1):
            if (annotation := _ANNOTATION.search(line)) is not None:
                for code, words in _EXPECTED.findall(annotation[1]):
                    key = (file.relative_to(CASES).as_posix(), number, code)
                    found[key] = re.findall(r'"([^"]*)"', words)
    return found


def actual_findings(case: Path) -> dict[Key, str]:
    """(path, line, code) -> message."""
    config = Config(root=CASES, select=["ALL"])
    result = scan(ScanOptions([str(case)], config, jobs=1))
    return {(Path(f.path).resolve().relative_to(CASES).as_posix(), f.line, f.code): f.message
            for f in result.findings}


@pytest.mark.parametrize("case", case_params(), ids=lambda p: p.name)
def test_case(case: Path) -> None:
    expected, actual = expected_findings(case), actual_findings(case)
    assert sorted(actual.keys() - expected.keys()) == [], "false alarms"
    assert sorted(expected.keys() - actual.keys()) == [], "missed findings"
    assert [k for k, words in expected.items() if not words] == [], "pin the message's words"
    wrong = {key: (actual[key], words) for key, words in expected.items()
             if not all(word in actual[key] for word in words)}
    assert wrong == {}, "messages without their key words"
