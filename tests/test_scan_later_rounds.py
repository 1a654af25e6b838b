"""The files a later round of the join parses (in parallel) give the same findings as a scan
that parses them one at a time, and as one that takes their facts from the cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from loopdoctor.scan import ScanOptions, engine, scan
from loopdoctor.scan.config import Config

CASE = Path(__file__).parent / "scan_cases" / "ld102_bridge_across_modules"
TOOLS = 30  # more than the fewest files worth a process pool


def tree(tmp_path: Path) -> Path:
    """The bridges and the cache of a scan case; the callers that connect them are many
    small files that the prefilter leaves to a later round."""
    root = tmp_path / "tree"
    shutil.copytree(CASE, root)
    (root / "app" / "tools.py").unlink()
    (root / "app" / "asking.py").write_text(
        "from app.clients import get_client\n\n\n"
        "async def ask(prompt):\n"
        "    client = get_client('http://127.0.0.1:8000/v1')\n"
        "    return await client.chat.completions.create(model='m', messages=[])\n")
    for i in range(TOOLS):
        (root / "app" / f"tools{i}.py").write_text(
            "from app.asking import ask\nfrom app.bridge import run_async\n\n\n"
            f"def complete{i}(prompt):\n    return run_async(ask(prompt))\n")
    return root


def findings(root: Path, jobs: int, cache: Path | None = None) -> list[tuple]:
    result = scan(ScanOptions([str(root)], Config(root=root), jobs=jobs, cache_dir=cache))
    return [(f.path, f.line, f.code, f.message) for f in result.findings]


@pytest.mark.timeout(120)
def test_a_later_round_in_parallel_or_not_finds_the_same(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(tmp_path)
    rounds: list[int] = []
    parse_all = engine._parse_all

    def counted(pending, cache, jobs):
        rounds.append(len(pending))
        return parse_all(pending, cache, jobs)

    monkeypatch.setattr(engine, "_parse_all", counted)
    serial = findings(root, jobs=1)
    assert "LD102" in [f[2] for f in serial]
    assert rounds[1] >= TOOLS, rounds  # the callers came in a later round
    assert findings(root, jobs=2, cache=tmp_path / "cache") == serial
    (root / "app" / "__init__.py").write_text("# changed\n")  # the others' facts: cached
    assert findings(root, jobs=1, cache=tmp_path / "cache") == serial
