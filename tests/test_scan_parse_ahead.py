"""Files parsed ahead (while the join decides which files a later round needs) give the same
findings as a scan that parses them one at a time."""

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
def test_parsed_ahead_or_not_the_findings_are_the_same(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(tmp_path)
    used: list[int] = []
    results = engine._Ahead.results

    def counted(self, wanted):
        found = results(self, wanted)
        used.append(len(found))
        return found

    monkeypatch.setattr(engine._Ahead, "results", counted)
    serial = findings(root, jobs=1)
    assert not any(used)  # one job: nothing parsed ahead
    ahead = findings(root, jobs=2, cache=tmp_path / "cache")
    assert ahead == serial
    assert "LD102" in [f[2] for f in serial]
    assert any(used)  # the later round took facts parsed ahead
    (root / "app" / "__init__.py").write_text("# changed\n")  # the others' facts: cached
    assert findings(root, jobs=1, cache=tmp_path / "cache") == serial
