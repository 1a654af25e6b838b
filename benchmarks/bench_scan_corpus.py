"""Recall of ``loopdoctor scan`` on real, public fixes of cross-event-loop bugs.

Each case in a manifest (``benchmarks/corpus/fixes.toml`` by default, ``--manifest`` for another,
such as the blind ``validation.toml``) names a buggy release of a package (``before``)
and, when the fix has shipped, a fixed one (``after``). Nothing third-party is stored in this
repository: the distributions are fetched from the package index at run time (``pip download
--no-deps``, checked against the recorded sha256), unpacked into a cache, and the whole unpacked
tree of each release is scanned, so that cross-module joins work as on a real project. Cases
whose fix exists only in git are read from a local bare mirror (``--git-mirror``) or skipped.

    python benchmarks/bench_scan_corpus.py [--manifest FILE] [--split tune|holdout|all]
                                           [--cache DIR] [--git-mirror DIR] [--only ID]
                                           [--select CODES] [--json]

Every rule runs, preview ones too, unless ``--select`` says otherwise (``--select LD``: what
``loopdoctor scan`` reports by default).

Reported per case and per split: before-recall (a finding in an affected file), line recall
(a finding within 3 lines of a recorded bug line, with any code and with the recorded family),
after-clean (fixed files with no finding left), findings near the fixed lines, findings
elsewhere in the tree (context for precision, not judged) and wall time. Cases marked
``expect = "clean"`` are correct code that looks like a bug: any finding in their files is a
false alarm, counted apart from recall.
"""

from __future__ import annotations

import argparse
import difflib
import email.parser
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pinned import sha256_of

from loopdoctor.scan.config import newest_of, target_of

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

MANIFEST = Path(__file__).resolve().parent / "corpus" / "fixes.toml"
DEFAULT_CACHE = Path("~/.cache/loopdoctor-corpus").expanduser()
LINE_SLACK = 3
NOT_FINDINGS = {"LD000", "LD001"}  # parse errors and unused suppressions say nothing of recall
SOURCE_SUFFIXES = (".py", ".pyi")
WHEEL_NAME = re.compile(
    r"^(?P<name>[^-]+)-(?P<version>[^-]+)(-\d[^-]*)?-(?P<py>[^-]+)-(?P<abi>[^-]+)-(?P<plat>[^-]+)"
    r"\.whl$")


class CaseSkipped(Exception):
    """A case that cannot be materialized here (no mirror, download refused, bad checksum)."""


# --- the manifest -----------------------------------------------------------------------------

@dataclass(frozen=True)
class AffectedFile:
    path: str
    bug_lines: tuple[int, ...]
    bug_patterns: tuple[str, ...]
    codes: tuple[str, ...]
    in_fix: bool


@dataclass(frozen=True)
class Fix:
    id: str
    repo: str
    split: str
    source: str
    package: str
    before: str
    after: str
    archive_before: str
    archive_after: str
    sha256_before: str
    sha256_after: str
    fix_commit: str
    parent_commit: str
    scan_root: str
    shape: str
    files: tuple[AffectedFile, ...]
    expect: str = "bug"

    @property
    def has_after(self) -> bool:
        return bool(self.after or (self.source == "git" and self.fix_commit))


def load_manifest(path: Path = MANIFEST) -> list[Fix]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [fix_from_table(table) for table in data["fix"]]


def fix_from_table(table: dict) -> Fix:
    files = tuple(
        AffectedFile(path=f["path"], bug_lines=tuple(f.get("bug_lines", ())),
                     bug_patterns=tuple(f.get("bug_patterns", ())),
                     codes=tuple(f.get("codes", ())), in_fix=f.get("in_fix", True))
        for f in table["files"])
    return Fix(id=table["id"], repo=table["repo"], split=table["split"], source=table["source"],
               package=table.get("package", ""), before=table.get("before", ""),
               after=table.get("after", ""), archive_before=table.get("archive_before", ""),
               archive_after=table.get("archive_after", ""),
               sha256_before=table.get("sha256_before", ""),
               sha256_after=table.get("sha256_after", ""),
               fix_commit=table.get("fix_commit", ""),
               parent_commit=table.get("parent_commit", ""),
               scan_root=table.get("scan_root", ""), shape=table.get("shape", ""), files=files,
               expect=table.get("expect", "bug"))


# --- materializing a release ------------------------------------------------------------------

def pip_selection_args(archive: str) -> list[str]:
    """pip options that make ``pip download`` pick exactly the recorded distribution file."""
    if archive.endswith((".tar.gz", ".zip", ".tar.bz2")):
        return ["--no-binary", ":all:"]
    match = WHEEL_NAME.match(archive)
    if match is None or match["plat"] == "any":
        return ["--only-binary", ":all:"]
    platform = ["--only-binary", ":all:", "--platform", match["plat"].split(".")[0]]
    python_tag = match["py"].split(".")[0]
    if python_tag.startswith("py"):  # py3-none-<platform>: any Python, this one will do
        return platform
    digits = python_tag[2:]
    return [*platform, "--implementation", python_tag[:2], "--abi", match["abi"].split(".")[0],
            "--python-version", f"{digits[0]}.{digits[1:]}"]


def download_release(package: str, version: str, archive: str, sha256: str,
                     cache: Path) -> Path:
    target = cache / "archives" / archive
    if target.is_file() and sha256_of(target) == sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                   "--disable-pip-version-check", "--dest", scratch,
                   *pip_selection_args(archive), f"{package}=={version}"]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        fetched = Path(scratch) / archive
        if not fetched.is_file():
            got = ", ".join(p.name for p in Path(scratch).iterdir()) or "nothing"
            reason = result.stderr.strip().splitlines()[-1:] or [""]
            raise CaseSkipped(f"pip download of {package}=={version} gave {got} {reason[0]}")
        if sha256_of(fetched) != sha256:
            raise CaseSkipped(f"{archive}: sha256 differs from the manifest")
        shutil.move(fetched, target)
    return target


def archive_sources(archive: Path) -> Iterator[tuple[str, bytes]]:
    """(path inside the distribution, bytes) for every Python source file of an archive."""
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as bundle:
            strip = archive.suffix == ".zip"
            for name in bundle.namelist():
                if name.endswith(SOURCE_SUFFIXES):
                    yield without_top_folder(name) if strip else name, bundle.read(name)
        return
    with tarfile.open(archive) as bundle:
        for member in bundle.getmembers():
            if member.isfile() and member.name.endswith(SOURCE_SUFFIXES):
                handle = bundle.extractfile(member)
                if handle is not None:
                    yield without_top_folder(member.name), handle.read()


def without_top_folder(name: str) -> str:
    return name.split("/", 1)[1] if "/" in name else name


def write_tree(target: Path, sources: Iterable[tuple[str, bytes]]) -> Path:
    """Unpack into ``target`` once; a marker file says the tree is complete."""
    marker = target / ".loopdoctor-corpus-complete"
    if marker.is_file():
        return target
    shutil.rmtree(target, ignore_errors=True)
    for relative, content in sources:
        destination = (target / relative).resolve()
        if target.resolve() not in destination.parents:
            continue  # a path that would escape the tree
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(content)
    target.mkdir(parents=True, exist_ok=True)
    marker.write_text("", encoding="utf-8")
    return target


def pypi_tree(fix: Fix, version: str, archive: str, sha256: str, cache: Path) -> Path:
    downloaded = download_release(fix.package, version, archive, sha256, cache)
    return write_tree(cache / "trees" / archive, archive_sources(downloaded))


def declared_python(archive: Path) -> tuple[str, ...]:
    """``--target-version`` (and ``--newest-version`` when it has an upper bound) from the
    release's own ``Requires-Python`` (a wheel's METADATA, an sdist's PKG-INFO): what the
    project's pyproject.toml gives a scan of its source. Nothing when the release does not
    say (the scan's default, py39 and no newest)."""
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as bundle:
            names = [n for n in bundle.namelist() if n.endswith((".dist-info/METADATA",
                                                                 "PKG-INFO"))]
            text = bundle.read(min(names, key=len)).decode(errors="replace") if names else ""
    else:
        with tarfile.open(archive) as bundle:
            members = [m for m in bundle.getmembers() if m.name.endswith("PKG-INFO")]
            handle = bundle.extractfile(min(members, key=lambda m: len(m.name))) \
                if members else None
            text = handle.read().decode(errors="replace") if handle else ""
    headers = email.parser.HeaderParser().parsestr(text)
    requires = headers.get("Requires-Python")
    if not requires:
        return ()
    newest = newest_of(requires)
    return ("--target-version", target_of(requires),
            *(("--newest-version", newest) if newest else ()))


def find_mirror(mirrors: Path, repo: str) -> Path:
    owner, name = repo.split("/", 1)
    candidates = [mirrors / f"{owner}+{name}" / "repo", mirrors / f"{owner}+{name}",
                  mirrors / owner / f"{name}.git", mirrors / owner / name,
                  mirrors / f"{name}.git", mirrors / name]
    for candidate in candidates:
        if (candidate / "HEAD").is_file() or (candidate / ".git").exists():
            return candidate
    raise CaseSkipped(f"no git mirror of {repo} under {mirrors}")


def git_sources(mirror: Path, commit: str, root: str) -> Iterator[tuple[str, bytes]]:
    command = ["git", "--git-dir", str(mirror), "archive", "--format=tar", commit]
    result = subprocess.run([*command, *([root] if root else [])], capture_output=True,
                            check=False)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise CaseSkipped(f"git archive {commit} failed: {message}")
    with tarfile.open(fileobj=io.BytesIO(result.stdout)) as bundle:
        for member in bundle.getmembers():
            if member.isfile() and member.name.endswith(SOURCE_SUFFIXES):
                handle = bundle.extractfile(member)
                if handle is not None:
                    yield member.name, handle.read()


def git_tree(fix: Fix, commit: str, mirrors: Path | None, cache: Path) -> Path:
    if mirrors is None:
        raise CaseSkipped("git-only case: pass --git-mirror")
    mirror = find_mirror(mirrors, fix.repo)
    target = cache / "trees" / "git" / fix.repo.replace("/", "+") / commit
    return write_tree(target, git_sources(mirror, commit, fix.scan_root))


def release_trees(fix: Fix, cache: Path, mirrors: Path | None) -> tuple[Path, Path | None]:
    """The unpacked before tree and, if the fix has shipped, the after tree."""
    if fix.source == "git":
        before = git_tree(fix, fix.parent_commit, mirrors, cache)
        after = git_tree(fix, fix.fix_commit, mirrors, cache) if fix.fix_commit else None
    else:
        before = pypi_tree(fix, fix.before, fix.archive_before, fix.sha256_before, cache)
        after = (pypi_tree(fix, fix.after, fix.archive_after, fix.sha256_after, cache)
                 if fix.after else None)
    return before, after


def release_options(fix: Fix, archive: str, cache: Path) -> tuple[str, ...]:
    """Scan options a release declares (its Python versions); none for a git case."""
    return declared_python(cache / "archives" / archive) if fix.source == "pypi" else ()


# --- scanning ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    code: str
    path: str
    line: int


def scan_report(tree: Path, target: str = ".", *options: str) -> tuple[dict, float]:
    """``loopdoctor scan --format json`` of a tree (cold, gitignore not applied), and seconds."""
    command = [sys.executable, "-m", "loopdoctor", "scan", target, "--format", "json",
               "--no-cache", "--exit-zero", "--no-respect-gitignore", *options]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=tree, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"loopdoctor scan failed on {tree}: {result.stderr.strip()[-400:]}")
    return json.loads(result.stdout), seconds


def scan(tree: Path, scan_root: str, select: str = "ALL", options: tuple[str, ...] = ()
         ) -> tuple[list[Finding], float]:
    """Findings of the selected rules on a tree, paths relative to the tree, and seconds."""
    target = scan_root if scan_root and (tree / scan_root).is_dir() else "."
    report, seconds = scan_report(tree, target, "--select", select, *options)
    findings = [Finding(code=item["code"], path=normalized(item["path"]), line=item["line"])
                for item in report["findings"] if item["code"] not in NOT_FINDINGS]
    return findings, seconds


def normalized(path: str) -> str:
    return Path(path).as_posix().removeprefix("./")


# --- judging one case -------------------------------------------------------------------------

def family(code: str) -> str:
    return code[:3]


def near(line: int, targets: Iterable[int]) -> bool:
    return any(abs(line - target) <= LINE_SLACK for target in targets)


def bug_lines_of(affected: AffectedFile, tree: Path) -> tuple[int, ...]:
    """Recorded bug lines, or the lines matching the recorded patterns (git-only cases)."""
    if affected.bug_lines or not affected.bug_patterns:
        return affected.bug_lines
    text = read_lines(tree / affected.path)
    patterns = [re.compile(pattern) for pattern in affected.bug_patterns]
    return tuple(number for number, line in enumerate(text, 1)
                 if any(pattern.search(line) for pattern in patterns))


def read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def map_line(before: list[str], after: list[str], line: int) -> int:
    """Where a before line sits in the after file (the start of its replacement if it changed)."""
    index = line - 1
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, start_a, end_a, start_b, _ in matcher.get_opcodes():
        if start_a <= index < end_a:
            return start_b + (index - start_a if tag == "equal" else 0) + 1
    return len(after) or 1


@dataclass
class FileVerdict:
    path: str
    bug_lines: list[int]
    before_codes: list[str]
    lines_hit: list[int]
    line_any: bool
    line_family: bool | None
    after_codes: list[str] | None = None
    after_near_fixed: int | None = None


@dataclass
class CaseResult:
    id: str
    split: str
    repo: str
    expect: str = "bug"
    status: str = "ok"
    files: list[FileVerdict] = field(default_factory=list)
    file_hit: bool = False
    line_any: bool = False
    line_family: bool | None = None
    after_clean: bool | None = None
    after_near_fixed: int | None = None
    other_before: int = 0
    other_after: int | None = None
    seconds: float = 0.0
    findings_before: list[str] = field(default_factory=list)


def judge_file(affected: AffectedFile, before: Path, findings: list[Finding]) -> FileVerdict:
    lines = bug_lines_of(affected, before)
    here = [f for f in findings if f.path == normalized(affected.path)]
    close = [f for f in here if near(f.line, lines)]
    families = {family(code) for code in affected.codes}
    return FileVerdict(
        path=affected.path, bug_lines=list(lines),
        before_codes=[f"{f.code}:{f.line}" for f in here],
        lines_hit=[line for line in lines if any(near(f.line, [line]) for f in here)],
        line_any=bool(close),
        line_family=(any(family(f.code) in families for f in close) if families else None))


def judge_after(verdict: FileVerdict, affected: AffectedFile, before: Path, after: Path,
                findings: list[Finding]) -> None:
    here = [f for f in findings if f.path == normalized(affected.path)]
    mapped = [map_line(read_lines(before / affected.path), read_lines(after / affected.path),
                       line) for line in verdict.bug_lines]
    verdict.after_codes = [f"{f.code}:{f.line}" for f in here]
    verdict.after_near_fixed = sum(1 for f in here if near(f.line, mapped))


def judge_case(fix: Fix, cache: Path, mirrors: Path | None, select: str = "ALL"
               ) -> CaseResult:
    result = CaseResult(id=fix.id, split=fix.split, repo=fix.repo, expect=fix.expect)
    try:
        before, after = release_trees(fix, cache, mirrors)
    except CaseSkipped as skipped:
        result.status = f"skipped: {skipped}"
        return result
    findings, seconds = scan(before, fix.scan_root, select,
                             release_options(fix, fix.archive_before, cache))
    affected_paths = {normalized(f.path) for f in fix.files}
    result.files = [judge_file(affected, before, findings) for affected in fix.files]
    result.findings_before = [f"{f.path}:{f.line}:{f.code}" for f in findings
                              if f.path in affected_paths]
    result.other_before = sum(1 for f in findings if f.path not in affected_paths)
    result.file_hit = any(verdict.before_codes for verdict in result.files)
    result.line_any = any(verdict.line_any for verdict in result.files)
    judged = [v.line_family for v in result.files if v.line_family is not None]
    result.line_family = any(judged) if judged else None
    if after is not None:
        after_findings, after_seconds = scan(after, fix.scan_root, select,
                                             release_options(fix, fix.archive_after, cache))
        seconds += after_seconds
        judge_after_tree(result, fix, before, after, after_findings, affected_paths)
    result.seconds = seconds
    return result


def judge_after_tree(result: CaseResult, fix: Fix, before: Path, after: Path,
                     findings: list[Finding], affected_paths: set[str]) -> None:
    fixed = [(v, a) for v, a in zip(result.files, fix.files, strict=True)
             if a.in_fix and (after / a.path).is_file()]
    for verdict, affected in fixed:
        judge_after(verdict, affected, before, after, findings)
    if fixed:
        result.after_clean = all(not v.after_codes for v, _ in fixed)
        result.after_near_fixed = sum(v.after_near_fixed or 0 for v, _ in fixed)
    result.other_after = sum(1 for f in findings if f.path not in affected_paths)


# --- reporting --------------------------------------------------------------------------------

COLUMNS = (("case", 46), ("split", 7), ("exp", 5), ("file", 5), ("line", 5), ("fam", 5),
           ("after", 6), ("near", 5), ("other b/a", 11), ("secs", 7))


def mark(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def table_row(cells: Iterable[str]) -> str:
    return "  ".join(str(cell)[:width].ljust(width) for cell, (_, width) in zip(
        cells, COLUMNS, strict=True)).rstrip()


def case_row(result: CaseResult) -> str:
    if result.status != "ok":
        return f"{result.id[:46].ljust(46)}  {result.split.ljust(7)}  {result.expect.ljust(5)}  " \
               f"{result.status}"
    other = f"{result.other_before}/{'-' if result.other_after is None else result.other_after}"
    near_fixed = "-" if result.after_near_fixed is None else str(result.after_near_fixed)
    return table_row((result.id, result.split, result.expect, mark(result.file_hit),
                      mark(result.line_any), mark(result.line_family), mark(result.after_clean),
                      near_fixed, other, f"{result.seconds:.1f}"))


def ratio(hits: int, total: int) -> str:
    return f"{hits}/{total} ({hits / total:.0%})" if total else "0/0"


def summary(results: list[CaseResult]) -> dict[str, object]:
    bugs = [r for r in results if r.expect != "clean"]
    return {**recall_summary(bugs),
            **false_alarm_summary([r for r in results if r.expect == "clean"])}


def false_alarm_summary(clean: list[CaseResult]) -> dict[str, object]:
    """Correct code that looks like a bug: every finding in its files is a false alarm."""
    measured = [r for r in clean if r.status == "ok"]
    return {
        "clean_cases": len(clean),
        "clean_quiet": ratio(sum(not r.file_hit for r in measured), len(measured)),
        "false_alarms": sum(len(v.before_codes) for r in measured for v in r.files),
        "suspect_lines_flagged": ratio(sum(len(v.lines_hit) for r in measured for v in r.files),
                                       sum(len(v.bug_lines) for r in measured for v in r.files)),
        "clean_seconds": round(sum(r.seconds for r in measured), 1),
    }


def recall_summary(results: list[CaseResult]) -> dict[str, object]:
    measured = [r for r in results if r.status == "ok"]
    with_family = [r for r in measured if r.line_family is not None]
    with_after = [r for r in measured if r.after_clean is not None]
    files = [v for r in measured for v in r.files]
    fixed_files = [v for v in files if v.after_codes is not None]
    return {
        "cases": len(results), "measured": len(measured),
        "skipped": len(results) - len(measured),
        "file_recall": ratio(sum(r.file_hit for r in measured), len(measured)),
        "line_recall_any": ratio(sum(r.line_any for r in measured), len(measured)),
        "line_recall_family": ratio(sum(bool(r.line_family) for r in with_family),
                                    len(with_family)),
        "files_hit": ratio(sum(bool(v.before_codes) for v in files), len(files)),
        "bug_lines_hit": ratio(sum(len(v.lines_hit) for v in files),
                               sum(len(v.bug_lines) for v in files)),
        "after_clean": ratio(sum(bool(r.after_clean) for r in with_after), len(with_after)),
        "after_files_clean": ratio(sum(not v.after_codes for v in fixed_files),
                                   len(fixed_files)),
        "after_near_fixed": sum(r.after_near_fixed or 0 for r in with_after),
        "other_findings_before": sum(r.other_before for r in measured),
        "seconds": round(sum(r.seconds for r in measured), 1),
    }


def print_report(results: list[CaseResult], splits: list[str]) -> None:
    print(table_row(name for name, _ in COLUMNS))
    print(table_row("-" * width for _, width in COLUMNS))
    for result in results:
        print(case_row(result))
    for split in [*splits, "all"] if len(splits) > 1 else splits:
        chosen = [r for r in results if split == "all" or r.split == split]
        print(f"\n[{split}]")
        for key, value in summary(chosen).items():
            print(f"  {key.replace('_', ' '):<22} {value}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="downloads and unpacked trees (default: %(default)s)")
    parser.add_argument("--split", choices=("tune", "holdout", "all"), default="all")
    parser.add_argument("--git-mirror", type=Path, default=None,
                        help="folder of bare git mirrors, for git-only cases")
    parser.add_argument("--only", action="append", default=[], metavar="ID",
                        help="run only this case (repeatable)")
    parser.add_argument("--select", default="ALL", metavar="CODES",
                        help="rules to scan with, as scan's --select takes them (default: "
                             "every rule, preview too; LD: the default selection)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    fixes = [fix for fix in load_manifest(args.manifest)
             if args.split in ("all", fix.split) and (not args.only or fix.id in args.only)]
    args.cache.mkdir(parents=True, exist_ok=True)
    results = []
    for fix in fixes:
        if not args.json:
            print(f"... {fix.id}", file=sys.stderr, flush=True)
        results.append(judge_case(fix, args.cache.resolve(), args.git_mirror, args.select))
    splits = ["tune", "holdout"] if args.split == "all" else [args.split]
    if args.json:
        per_split = {split: summary([r for r in results if split == "all" or r.split == split])
                     for split in [*splits, "all"]}
        json.dump({"cases": [asdict(r) for r in results], "summary": per_split}, sys.stdout,
                  indent=2)
        print()
    else:
        print_report(results, splits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
