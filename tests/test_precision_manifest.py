"""The precision manifest is well formed and its measured sets are new code (offline)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CORPUS = Path(__file__).resolve().parents[1] / "benchmarks" / "corpus"
SHA256 = re.compile(r"^[0-9a-f]{64}$")
SET = re.compile(r"^(dev\d*|final\d*)$")
FINDING = re.compile(r"^[^:\s]+\.py:\d+:LD\d{3}$")


def load(name: str) -> dict:
    return tomllib.loads((CORPUS / name).read_text(encoding="utf-8"))


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


PROJECTS = load("precision.toml")["project"]


def each_project(test):
    return pytest.mark.parametrize("project", PROJECTS, ids=[p["name"] for p in PROJECTS])(test)


def test_names_and_packages_are_unique() -> None:
    assert len({p["name"] for p in PROJECTS}) == len(PROJECTS)
    assert len({normalized(p["package"]) for p in PROJECTS}) == len(PROJECTS)


@each_project
def test_project_pins_one_archive_of_its_release(project: dict) -> None:
    assert SET.match(project["set"]), project["set"]
    assert SHA256.match(project["sha256"])
    assert normalized(project["archive"]).startswith(
        f"{normalized(project['package'])}_{normalized(project['version'])}_")
    assert project["kind"]
    assert all(set(f) == {"at", "verdict", "reason"} and FINDING.match(f["at"])
               and isinstance(f["verdict"], bool) and f["reason"]
               for f in project.get("finding", ()))  # a project's key after one goes into it
    why = project.get("why", "one line")
    assert isinstance(why, str) and why.strip() and "\n" not in why


def test_measured_sets_hold_no_project_of_the_fix_corpora() -> None:
    fixes = [fix for name in ("fixes.toml", "validation.toml") for fix in load(name)["fix"]]
    known = {normalized(fix["package"]) for fix in fixes if fix.get("package")}
    known |= {normalized(fix["repo"].split("/")[1]) for fix in fixes}
    measured = [p for p in PROJECTS if p["set"] != "dev"]
    assert [p["name"] for p in measured if normalized(p["package"]) in known] == []


def test_the_benchmark_reads_every_set_and_refuses_an_unknown_one(capsys) -> None:
    sys.path.insert(0, str(CORPUS.parent))
    try:
        import bench_scan_precision
    finally:
        sys.path.pop(0)
    loaded = bench_scan_precision.load()
    assert [p.name for p in loaded] == [p["name"] for p in PROJECTS]
    assert {p.set for p in loaded} == {p["set"] for p in PROJECTS}
    with pytest.raises(SystemExit) as refused:
        bench_scan_precision.main(["--set", "nosuchset", "--fetch-only"])
    assert refused.value.code == 2
    refusal = capsys.readouterr().err
    assert all(name in refusal for name in {p["set"] for p in PROJECTS})
