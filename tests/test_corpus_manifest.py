"""The corpora of real cross-loop fixes are well formed (offline: nothing is downloaded)."""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CORPUS = Path(__file__).resolve().parents[1] / "benchmarks" / "corpus"
PERMISSIVE = {"MIT", "BSD-2-Clause", "BSD-3-Clause", "Apache-2.0", "ISC", "PSF-2.0"}
REQUIRED = ("id", "repo", "url", "licence", "source", "split", "shape", "files")
CODE = re.compile(r"^LD\d(\d\d)?$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
COMMIT = re.compile(r"^[0-9a-f]{7,40}$")
REPO = re.compile(r"^[\w.-]+/[\w.-]+$")


@dataclass(frozen=True)
class Manifest:
    """A corpus file and the bar it must clear."""

    name: str
    min_bugs: int
    min_repos: int
    max_git: int
    blind_split: bool  # tune/holdout by the hash rule; else every case is holdout

    @property
    def path(self) -> Path:
        return CORPUS / self.name

    def fixes(self) -> list[dict]:
        return tomllib.loads(self.path.read_text(encoding="utf-8"))["fix"]


MANIFESTS = (Manifest("fixes.toml", 30, 15, 5, blind_split=True),
             Manifest("validation.toml", 25, 15, 3, blind_split=False))
CASES = [fix for manifest in MANIFESTS for fix in manifest.fixes()]


def by_manifest(test):
    return pytest.mark.parametrize("manifest", MANIFESTS, ids=[m.name for m in MANIFESTS])(test)


def each_case(where=lambda fix: True):
    """Parametrize a test over the cases of both corpora that satisfy ``where``."""
    chosen = [fix for fix in CASES if where(fix)]
    return pytest.mark.parametrize("fix", chosen, ids=[fix["id"] for fix in chosen])


def blind_split(case_id: str) -> str:
    return "holdout" if int(hashlib.sha256(case_id.encode()).hexdigest(), 16) % 3 == 0 \
        else "tune"


@by_manifest
def test_enough_cases_from_enough_repositories(manifest: Manifest) -> None:
    fixes = manifest.fixes()
    assert sum(fix.get("expect", "bug") == "bug" for fix in fixes) >= manifest.min_bugs
    assert len({fix["repo"] for fix in fixes}) >= manifest.min_repos


def test_ids_are_unique_slugs_across_both_corpora() -> None:
    ids = [fix["id"] for fix in CASES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", case_id) for case_id in ids)


def test_validation_cases_are_new() -> None:
    known, validation = (manifest.fixes() for manifest in MANIFESTS)
    known_urls = {fix["url"] for fix in known}
    known_releases = {(fix.get("package"), fix.get("before")) for fix in known}
    for fix in validation:
        assert fix["url"] not in known_urls, fix["id"]
        assert (fix.get("package"), fix.get("before")) not in known_releases, fix["id"]


def test_fixes_splits_follow_the_blind_rule_near_a_third() -> None:
    fixes = MANIFESTS[0].fixes()
    splits = [fix["split"] for fix in fixes]
    assert set(splits) == {"tune", "holdout"}
    assert 0.2 <= splits.count("holdout") / len(splits) <= 0.45
    assert all(fix["split"] == blind_split(fix["id"]) for fix in fixes)


def test_validation_is_all_holdout() -> None:
    assert {fix["split"] for fix in MANIFESTS[1].fixes()} == {"holdout"}


@by_manifest
def test_git_only_cases_are_few(manifest: Manifest) -> None:
    sources = [fix["source"] for fix in manifest.fixes()]
    assert set(sources) <= {"pypi", "git"}
    assert sources.count("git") <= manifest.max_git


@by_manifest
def test_negative_cases_are_a_few_and_never_the_majority(manifest: Manifest) -> None:
    expects = [fix.get("expect", "bug") for fix in manifest.fixes()]
    assert set(expects) <= {"bug", "clean"}
    assert expects.count("clean") <= expects.count("bug") // 3


@each_case()
def test_case_schema(fix: dict) -> None:
    for key in REQUIRED:
        assert fix.get(key), f"{fix.get('id')}: missing {key}"
    assert REPO.match(fix["repo"])
    assert fix["url"].startswith("https://github.com/")
    assert fix["licence"] in PERMISSIVE
    assert fix["split"] in {"tune", "holdout"}
    assert len(fix["shape"]) >= 20


@each_case(lambda fix: fix["source"] == "pypi")
def test_index_case_pins_its_archives(fix: dict) -> None:
    assert fix["package"] and fix["before"]
    assert fix["archive_before"] and SHA256.match(fix["sha256_before"])
    if fix["after"]:
        assert fix["after"] != fix["before"]
        assert fix["archive_after"] and SHA256.match(fix["sha256_after"])
        assert fix["archive_after"] != fix["archive_before"]
    else:
        assert not fix.get("archive_after") and not fix.get("sha256_after")


@each_case(lambda fix: fix.get("expect") == "clean")
def test_clean_case_is_one_release(fix: dict) -> None:
    assert fix["source"] == "pypi" and not fix["after"]
    assert fix["shape"].startswith("negative:")


@each_case(lambda fix: fix["source"] == "git")
def test_git_case_names_its_commits(fix: dict) -> None:
    assert COMMIT.match(fix["parent_commit"])
    assert COMMIT.match(fix["fix_commit"])


@each_case()
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


@by_manifest
def test_the_benchmark_reads_the_manifest(manifest: Manifest) -> None:
    sys.path.insert(0, str(CORPUS.parent))
    try:
        import bench_scan_corpus
    finally:
        sys.path.pop(0)
    fixes = bench_scan_corpus.load_manifest(manifest.path)
    assert [fix.id for fix in fixes] == [fix["id"] for fix in manifest.fixes()]
    assert all(fix.files for fix in fixes)
    assert [fix.expect for fix in fixes] == [f.get("expect", "bug") for f in manifest.fixes()]


@pytest.mark.parametrize(("archive", "python_version"), [
    ("pymongo-4.20.1-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.whl", "3.11"),
    ("playwright-1.65.2-py3-none-manylinux1_x86_64.whl", None),  # any Python: the running one
])
def test_pip_is_asked_for_the_recorded_platform_wheel(archive: str,
                                                      python_version: str | None) -> None:
    sys.path.insert(0, str(CORPUS.parent))
    try:
        import bench_scan_corpus
    finally:
        sys.path.pop(0)
    args = bench_scan_corpus.pip_selection_args(archive)
    assert args[args.index("--platform") + 1] == archive.split("-")[4].split(".")[0]
    asked = args[args.index("--python-version") + 1] if "--python-version" in args else None
    assert asked == python_version
