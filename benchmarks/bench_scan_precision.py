"""Precision of ``loopdoctor scan`` on real projects, against findings judged by reading code.

Each project in ``benchmarks/corpus/precision.toml`` is a pinned release on the package index,
fetched at run time (``pip download --no-deps``, checked against the recorded sha256) and
unpacked into a cache outside the work tree, as ``bench_scan_corpus.py`` does; nothing of it
is stored here. Its whole tree is scanned with the default selection (or ``--select``'s, as
the scan takes it: ``--select ALL`` judges the preview rules too), and every finding is
compared with the verdict recorded for it (``true``: the hazard is real, ``false``: it is not,
with a one-line reason). Findings nobody judged yet are listed: read the code, then record
the verdict. A judged finding of a selected rule that no longer appears is listed as gone.

    python benchmarks/bench_scan_precision.py [--set NAME|all] [--only NAME] [--cache DIR]
        [--select CODES] [--seeds 0,1,...] [--fetch-only]

``--seeds`` scans each project once per ``PYTHONHASHSEED`` value (the scan's process inherits
it) and lists, as ``SEED``, every finding that some of them report and others do not; the
first seed's findings are the ones judged.

A set is any ``set`` the manifest names. ``final`` projects were first scanned after the
analyzer's tuning was done; ``dev`` projects were scanned while it was tuned (their precision
is not an independent measurement); ``final2`` to ``final9`` projects were
chosen later and are measured once, after the changes they are meant to judge (``final8`` was
tuned on after its measurement).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_scan_corpus as corpus

from loopdoctor.scan.config import selected_codes

MANIFEST = Path(__file__).resolve().parent / "corpus" / "precision.toml"


@dataclass(frozen=True)
class Project:
    name: str
    package: str
    version: str
    archive: str
    sha256: str
    set: str
    kind: str
    verdicts: dict[str, tuple[bool, str]]  # "path:line:CODE" -> (true?, reason)


@dataclass
class Result:
    project: Project
    status: str = "ok"
    true: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)
    unjudged: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    seed_dependent: list[str] = field(default_factory=list)  # "at (seeds ...)"
    files: int = 0
    seconds: float = 0.0


def load(path: Path = MANIFEST) -> list[Project]:
    data = corpus.tomllib.loads(path.read_text(encoding="utf-8"))
    return [Project(name=t["name"], package=t["package"], version=t["version"],
                    archive=t["archive"], sha256=t["sha256"], set=t["set"], kind=t["kind"],
                    verdicts={f["at"]: (f["verdict"], f["reason"])
                              for f in t.get("finding", ())})
            for t in data["project"]]


def scan(tree: Path, select: str = "LD", options: tuple[str, ...] = ()
         ) -> tuple[list[str], int, float]:
    """``path:line:CODE`` of every finding of the selected rules, files, seconds."""
    report, seconds = corpus.scan_report(tree, ".", "--select", select, *options)
    found = [f"{corpus.normalized(f['path'])}:{f['line']}:{f['code']}"
             for f in report["findings"] if f["code"] not in corpus.NOT_FINDINGS]
    return found, report["files_scanned"], seconds


def judge(project: Project, cache: Path, fetch_only: bool = False, select: str = "LD",
          seeds: tuple[int, ...] = ()) -> Result:
    result = Result(project)
    try:
        archive = corpus.download_release(project.package, project.version, project.archive,
                                          project.sha256, cache)
    except corpus.CaseSkipped as skipped:
        result.status = f"skipped: {skipped}"
        return result
    tree = corpus.write_tree(cache / "trees" / project.archive, corpus.archive_sources(archive))
    if fetch_only:
        result.status = f"fetched, not scanned: {sum(1 for _ in tree.rglob('*.py'))} files"
        return result
    options = corpus.declared_python(archive)
    if seeds:
        by_seed = {seed: _seeded(seed, lambda: scan(tree, select, options)) for seed in seeds}
        found, result.files, result.seconds = by_seed[seeds[0]]
        every = {at for scanned in by_seed.values() for at in scanned[0]}
        result.seed_dependent = sorted(
            f"{at} (seeds {', '.join(str(s) for s, r in by_seed.items() if at in r[0])})"
            for at in every if not all(at in r[0] for r in by_seed.values()))
    else:
        found, result.files, result.seconds = scan(tree, select, options)
    if not result.files:  # a meta-package holds no code: it would count as a clean project
        result.status = f"no Python files in {project.archive}: name the package with the code"
        return result
    for at in found:
        verdict = project.verdicts.get(at)
        bucket = result.unjudged if verdict is None else (
            result.true if verdict[0] else result.false)
        bucket.append(at)
    codes = selected_codes(select.split(","), [], [])
    result.gone = sorted(at for at in set(project.verdicts) - set(found)
                         if at.rsplit(":", 1)[1] in codes)
    return result


def _seeded(seed: int, run):
    """``run()`` with ``PYTHONHASHSEED`` set to ``seed`` for the processes it starts."""
    before = os.environ.get("PYTHONHASHSEED")
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        return run()
    finally:
        if before is None:
            del os.environ["PYTHONHASHSEED"]
        else:
            os.environ["PYTHONHASHSEED"] = before


def precision(results: list[Result]) -> str:
    true = sum(len(r.true) for r in results)
    judged = true + sum(len(r.false) for r in results)
    return f"{true}/{judged} ({true / judged:.0%})" if judged else "no judged findings"


def codes_found(results: list[Result]) -> set[str]:
    return {at.rsplit(":", 1)[1] for r in results for at in [*r.true, *r.false, *r.unjudged]}


def rule_precision(results: list[Result], code: str) -> str:
    true = sum(at.endswith(f":{code}") for r in results for at in r.true)
    judged = true + sum(at.endswith(f":{code}") for r in results for at in r.false)
    unjudged = sum(at.endswith(f":{code}") for r in results for at in r.unjudged)
    return f"{true}/{judged}" + (f" (+{unjudged} unjudged)" if unjudged else "")


def report(results: list[Result]) -> None:
    print(f"{'project':28} {'set':6} {'files':>6} {'true':>5} {'false':>6} {'unjudged':>9}"
          f" {'secs':>6}")
    for r in results:
        if r.status != "ok":
            print(f"{r.project.name:28} {r.project.set:6} {r.status}")
            continue
        print(f"{r.project.name:28} {r.project.set:6} {r.files:>6} {len(r.true):>5}"
              f" {len(r.false):>6} {len(r.unjudged):>9} {r.seconds:>6.1f}")
    for name in dict.fromkeys(r.project.set for r in results):
        chosen = [r for r in results if r.project.set == name and r.status == "ok"]
        if chosen:
            print(f"precision [{name}]: {precision(chosen)} over {len(chosen)} projects")
    print("by rule: " + ", ".join(f"{code} {rule_precision(results, code)}"
                                  for code in sorted(codes_found(results))))
    for r in results:
        for at in r.false:
            print(f"false  {r.project.name}: {at}  ({r.project.verdicts[at][1]})")
        for at in r.unjudged:
            print(f"UNJUDGED  {r.project.name}: {at}")
        for at in r.gone:
            print(f"gone   {r.project.name}: {at}")
        for at in r.seed_dependent:
            print(f"SEED   {r.project.name}: {at}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--cache", type=Path, default=corpus.DEFAULT_CACHE)
    parser.add_argument("--set", default="all", metavar="NAME",
                        help="a set the manifest names (final, dev, ...), or all")
    parser.add_argument("--only", action="append", default=[], metavar="NAME")
    parser.add_argument("--select", default="LD", metavar="CODES",
                        help="rules to scan with, as scan's --select takes them (ALL: preview too)")
    parser.add_argument("--seeds", default="", metavar="N,N,...",
                        help="scan under each PYTHONHASHSEED; list findings that differ")
    parser.add_argument("--fetch-only", action="store_true",
                        help="download, check and unpack the releases; scan nothing")
    args = parser.parse_args(argv)
    manifest = load(args.manifest)
    sets = sorted({p.set for p in manifest})
    if args.set not in ("all", *sets):
        parser.error(f"--set {args.set}: the manifest has {', '.join(sets)} (or all)")
    projects = [p for p in manifest
                if args.set in ("all", p.set) and (not args.only or p.name in args.only)]
    results = []
    for project in projects:
        print(f"... {project.name} {project.version}", file=sys.stderr)
        results.append(judge(project, args.cache, args.fetch_only, args.select,
                             tuple(int(s) for s in args.seeds.split(",") if s)))
    report(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
