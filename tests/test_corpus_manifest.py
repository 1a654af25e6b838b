"""The corpus of real cross-loop fixes is well formed (offline: nothing is downloaded)."""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

MANIFEST = Path(__file__).resolve().parents[1] / "benchmarks" / "corpus" / "fixes.toml"
PERMISSIVE = {"MIT", "BSD-2-Clause", "BSD-3-Clause", "Apache-2.0", "ISC", "PSF-2.0"}
REQUIRED = ("id", "repo", "url", "licence", "source", "split", "shape", "files")
CODE = re.compile(r"^LD\d(\d\d)?$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
COMMIT = re.compile(r"^[0-9a-f]{7,40}$")
REPO = re.compile(r"^[\w.-]+/[\w.-]+$")


def load_fixes() -> list[dict]:
    return tomllib.loads(MANIFEST.read_text(encoding="utf-8"))["fix"]


FIXES = load_fixes()


def case_ids() -> list[str]:
    return [fix["id"] for fix in FIXES]


def test_enough_cases_from_enough_repositories() -> None:
    assert len(FIXES) >= 30
    assert len({fix["repo"] for fix in FIXES}) >= 15


def test_ids_are_unique_slugs() -> None:
    ids = case_ids()
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", case_id) for case_id in ids)


def test_both_splits_present_and_holdout_near_a_third() -> None:
    splits = [fix["split"] for fix in FIXES]
    assert set(splits) == {"tune", "holdout"}
    assert 0.2 <= splits.count("holdout") / len(splits) <= 0.45


def test_splits_follow_the_blind_rule() -> None:
    for fix in FIXES:
        expected = "holdout" if int(hashlib.sha256(fix["id"].encode()).hexdigest(), 16) % 3 == 0 \
            else "tune"
        assert fix["split"] == expected, fix["id"]


def test_git_only_cases_are_few_and_index_cases_many() -> None:
    sources = [fix["source"] for fix in FIXES]
    assert set(sources) <= {"pypi", "git"}
    assert sources.count("git") <= 5
    assert sources.count("pypi") >= 25


@pytest.mark.parametrize("fix", FIXES, ids=case_ids())
def test_case_schema(fix: dict) -> None:
    for key in REQUIRED:
        assert fix.get(key), f"{fix.get('id')}: missing {key}"
    assert REPO.match(fix["repo"])
    assert fix["url"].startswith("https://github.com/")
    assert fix["licence"] in PERMISSIVE
    assert fix["split"] in {"tune", "holdout"}
    assert len(fix["shape"]) >= 20


@pytest.mark.parametrize("fix", [f for f in FIXES if f["source"] == "pypi"],
                         ids=[f["id"] for f in FIXES if f["source"] == "pypi"])
def test_index_case_pins_its_archives(fix: dict) -> None:
    assert fix["package"] and fix["before"]
    assert fix["archive_before"] and SHA256.match(fix["sha256_before"])
    if fix["after"]:
        assert fix["after"] != fix["before"]
        assert fix["archive_after"] and SHA256.match(fix["sha256_after"])
        assert fix["archive_after"] != fix["archive_before"]
    else:
        assert not fix.get("archive_after") and not fix.get("sha256_after")


@pytest.mark.parametrize("fix", [f for f in FIXES if f["source"] == "git"],
                         ids=[f["id"] for f in FIXES if f["source"] == "git"])
def test_git_case_names_its_commits(fix: dict) -> None:
    assert COMMIT.match(fix["parent_commit"])
    assert COMMIT.match(fix["fix_commit"])


@pytest.mark.parametrize("fix", FIXES, ids=case_ids())
def test_every_file_has_bug_lines_and_valid_codes(fix: dict) -> None:
    assert fix["files"]
    paths = [f["path"] for f in fix["files"]]
    assert len(paths) == len(set(paths))
    assert any(f.get("in_fix", True) for f in fix["files"])
    for affected in fix["files"]:
        assert not affected["path"].startswith("/") and ".." not in affected["path"].split("/")
        assert affected["path"].endswith(".py")
        lines = affected.get("bug_lines", [])
        patterns = affected.get("bug_patterns", [])
        if fix["source"] == "pypi":
            assert lines, f"{fix['id']}: {affected['path']} has no bug lines"
        else:
            assert lines or patterns
        assert all(isinstance(line, int) and line > 0 for line in lines)
        assert lines == sorted(set(lines))
        for pattern in patterns:
            re.compile(pattern)
        assert all(CODE.match(code) for code in affected.get("codes", []))


def test_the_benchmark_reads_the_manifest() -> None:
    sys.path.insert(0, str(MANIFEST.parents[1]))
    try:
        import bench_scan_corpus
    finally:
        sys.path.pop(0)
    fixes = bench_scan_corpus.load_manifest(MANIFEST)
    assert [fix.id for fix in fixes] == case_ids()
    assert all(fix.files for fix in fixes)
