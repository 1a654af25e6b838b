"""The scan cache: a warm run answers from it, and never with findings a cold run would not
give (an edit, a config or selection change, another analyzer version)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import loopdoctor
from loopdoctor.scan import ScanOptions, ScanResult, scan
from loopdoctor.scan.config import discover

CLIENT_AT_IMPORT = "from openai import AsyncOpenAI\n\nclient = AsyncOpenAI()\n"
CLASS_ONLY = CLIENT_AT_IMPORT.replace("()", "  ")  # no client made, and the same size


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def write(files: dict[str, str]) -> None:
    for name, text in files.items():
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text(textwrap.dedent(text))


def run(cache: bool = True, **options) -> ScanResult:
    return scan(ScanOptions(["."], discover(["."]), jobs=1,
                            cache_dir=Path("cache") if cache else None, **options))


def found(result: ScanResult) -> list[tuple[str, str, int]]:
    return [(f.code, f.path, f.line) for f in result.findings]


def test_rerun_answers_from_the_cache() -> None:
    write({"a.py": CLIENT_AT_IMPORT, "b.py": "x = 1\n"})
    first, second = run(), run()
    assert found(first) == found(second) == [("LD301", "a.py", 3)]
    assert first.files_parsed == 1 and second.files_parsed == 0
    assert second.cache_hits == 2


def test_an_edit_that_keeps_size_and_mtime_is_seen() -> None:
    """A file rewritten within its mtime's tick looks unchanged by its stat alone."""
    write({"a.py": CLIENT_AT_IMPORT})
    before = os.stat("a.py")
    assert found(run()) == [("LD301", "a.py", 3)]
    Path("a.py").write_text(CLASS_ONLY)
    os.utime("a.py", ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat("a.py").st_size == before.st_size
    assert found(run()) == found(run(cache=False)) == []


def test_an_old_unchanged_file_is_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    write({"a.py": CLIENT_AT_IMPORT})
    os.utime("a.py", (1_000_000_000, 1_000_000_000))
    run()
    read = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or real(self))
    assert found(run()) == [("LD301", "a.py", 3)] and read == []


def test_an_edit_between_two_scans_gives_the_cold_findings() -> None:
    write({"a.py": CLIENT_AT_IMPORT, "b.py": CLIENT_AT_IMPORT.replace("client", "other")})
    run()
    Path("b.py").write_text("x = 1\n")
    Path("c.py").write_text(CLIENT_AT_IMPORT)
    warm = run()
    assert found(warm) == found(run(cache=False)) == [("LD301", "a.py", 3), ("LD301", "c.py", 3)]
    assert warm.files_parsed == 1


@pytest.mark.parametrize("table", [
    '[tool.loopdoctor]\nper-file-ignores = {"a.py" = ["LD301"]}\n',
    '[tool.loopdoctor]\nignore = ["LD3"]\n',
    '[tool.loopdoctor]\nloop-bound-types = ["mylib.Pool"]\n',
])
def test_a_config_change_gives_the_cold_findings(table: str) -> None:
    write({"a.py": CLIENT_AT_IMPORT + "import mylib\n\npool = mylib.Pool()\n"})
    before = found(run())
    Path("pyproject.toml").write_text(table)
    after = found(run())
    assert after == found(run(cache=False)) and after != before


@pytest.mark.parametrize("options", [{"select": ["LD2"]}, {"ignore": ["LD301"]},
                                     {"extend_select": ["LD304"]}])
def test_a_selection_change_gives_the_cold_findings(options: dict) -> None:
    write({"a.py": CLIENT_AT_IMPORT, "b.py": """
        import asyncio

        class Worker:
            def __init__(self):
                self.lock = asyncio.Lock()
                self.loop = asyncio.get_event_loop()

            def now(self):
                return self.loop.time()
    """})
    before = found(run())
    after = found(run(**options))
    assert after == found(run(cache=False, **options)) and after != before


def test_another_analyzer_version_starts_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    write({"a.py": CLIENT_AT_IMPORT})
    run()
    monkeypatch.setattr(loopdoctor, "__version__", "999.0")
    again = run()
    assert again.files_parsed == 1 and found(again) == [("LD301", "a.py", 3)]
    assert len(list(Path("cache").glob("index-*.pickle"))) == 1  # the old one is gone


ANALYZER = ("loopdoctor.scan.engine", "loopdoctor.scan.project", "loopdoctor.scan.facts",
            "loopdoctor.scan.context", "loopdoctor.scan.model", "loopdoctor.scan.rules.base")


def imported_by_scan(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "loopdoctor", "scan", *args],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr[-2000:]
    return {line.split("|")[-1].strip() for line in done.stderr.splitlines()
            if line.startswith("import time:")}


def test_a_warm_run_imports_none_of_the_analyzer() -> None:
    write({"a.py": CLIENT_AT_IMPORT})
    cold = imported_by_scan(".", "--cache-dir", "cache")
    warm = imported_by_scan(".", "--cache-dir", "cache")
    assert set(ANALYZER) <= cold
    assert warm & set(ANALYZER) == set()
    assert not any(name.startswith("loopdoctor.scan.rules.ld") for name in warm)


def test_the_codes_selectors_are_checked_against_are_the_rules_own() -> None:
    from loopdoctor.scan import rules

    assert tuple(rule.code for rule in rules.ALL_RULES) == rules.CODES
