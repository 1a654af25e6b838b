"""A default rule gives the same findings whatever else is selected: the files its join reads
are those every default rule pulls in, never those a preview rule (or an earlier scan with a
wider selection, through the cache) adds."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from loopdoctor.scan import ScanOptions, scan
from loopdoctor.scan.config import Config
from loopdoctor.scan.rules import ALL_RULES

CASES = Path(__file__).parent / "scan_cases"
DEFAULT_CODES = sorted(rule.code for rule in ALL_RULES if not rule.preview)

Found = set[tuple[str, int, str]]


def findings(root: Path, select: list[str], cache_dir: Path | None = None) -> Found:
    result = scan(ScanOptions([str(root)], Config(root=root, select=select), jobs=1,
                              cache_dir=cache_dir))
    return {(Path(f.path).as_posix(), f.line, f.code) for f in result.findings}


@pytest.fixture(scope="module")
def default_on_cases() -> Found:
    return findings(CASES, ["LD"])


def test_every_rule_selected_adds_only_preview_findings(default_on_cases: Found) -> None:
    """tests/scan_cases as one project: ``--select ALL`` is the default selection's findings
    and the preview rules' own."""
    everything = findings(CASES, ["ALL"])
    assert {f for f in everything if f[2] in DEFAULT_CODES} == default_on_cases


@pytest.mark.parametrize("code", [c for c in DEFAULT_CODES if c not in ("LD000", "LD001")])
def test_one_default_rule_alone_finds_what_it_finds_in_the_default_selection(
        code: str, default_on_cases: Found) -> None:
    assert findings(CASES, [code]) == {f for f in default_on_cases if f[2] == code}


# ``Widget``'s Event is one for the process once a ``Panel`` is kept on ``State`` (LD302), but
# panels.py and state.py hold no word a default rule needs: only LD304 (preview) reads them
# (``loop.create_future``).
PREVIEW_ONLY_FILES = {
    "pkg/__init__.py": "",
    "pkg/reactive.py": """
        import asyncio


        class Widget:
            def watch_files(self):
                self._changed = asyncio.Event()

            async def wait_for_change(self):
                await self._changed.wait()
    """,
    "pkg/panels.py": """
        from pkg.reactive import Widget


        class Panel(Widget):
            def refresh(self, loop):
                return loop.create_future()
    """,
    "pkg/state.py": """
        from pkg.panels import Panel


        class State:
            panel = None

            def schedule(self, loop):
                return loop.create_future()

            def open(self):
                State.panel = Panel()
    """,
}


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))


def test_files_only_a_preview_rule_reads_make_no_default_finding(tmp_path: Path) -> None:
    write(tmp_path, PREVIEW_ONLY_FILES)
    for select in (["LD"], ["ALL"], ["LD302", "LD304"]):
        assert findings(tmp_path, select) == set(), select


def test_a_scan_after_a_wider_one_gives_the_cold_findings(tmp_path: Path) -> None:
    write(tmp_path, PREVIEW_ONLY_FILES)
    cache = tmp_path / ".cache"
    findings(tmp_path, ["ALL"], cache)  # parses (and caches the facts of) state.py, panels.py
    assert findings(tmp_path, ["LD"], cache) == findings(tmp_path, ["LD"]) == set()


def test_the_same_files_read_by_a_default_rule_make_the_finding(tmp_path: Path) -> None:
    """The shape is found once panels.py and state.py hold a word the default rules need."""
    files = {name: "import asyncio\n" + textwrap.dedent(text) if name != "pkg/reactive.py"
             else text for name, text in PREVIEW_ONLY_FILES.items()}
    write(tmp_path, files)
    expected = {((tmp_path / "pkg/reactive.py").as_posix(), 7, "LD302")}
    assert findings(tmp_path, ["LD"]) == expected
    assert {f for f in findings(tmp_path, ["ALL"]) if f[2] == "LD302"} == expected
