"""Do two versions of loopdoctor find the same on the same trees? And at what cost?

Each tree is scanned by the baseline (``--base``: a folder holding another version's
``loopdoctor`` package, e.g. an unpacked ``git archive main``, put first on ``PYTHONPATH``)
and by this checkout (or ``--new DIR``, like ``--base``), one after the other in the same
run, each in a process of its own (``loopdoctor scan TREE --select ALL --no-cache --format
json --exit-zero``, under each ``--seeds`` value of ``PYTHONHASHSEED``; the baseline under
the first only). Printed per tree: the findings of each, what only one of them found, and
the CPU seconds (user + sys of the scan and its children) and wall seconds of each (first
seed); then the totals and the load average.

    python benchmarks/compare_scan.py --base DIR [--new DIR] [--seeds 1,2] [--jobs N]
        [--exclude PATTERN] [--each] [--out FILE] TREE [TREE ...]

A TREE that holds no ``.py`` file directly but folders that do (a corpus of unpacked
releases) can be given with ``--each``: every folder in it is one tree.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    findings: set[tuple] = field(default_factory=set)
    cpu: float = 0.0
    wall: float = 0.0
    error: str = ""


def scan(tree: Path, pythonpath: Path, seed: int, jobs: int, timeout: float,
         exclude: str = "") -> Run:
    env = {**os.environ, "PYTHONPATH": str(pythonpath), "PYTHONHASHSEED": str(seed)}
    command = [sys.executable, "-m", "loopdoctor", "scan", str(tree.resolve()), "--select", "ALL",
               "--no-cache", "--format", "json", "--exit-zero"]
    if jobs:
        command += ["-j", str(jobs)]
    if exclude:
        command += ["--exclude", exclude]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    try:
        # Not from this checkout: ``-m`` puts the working folder first on the path.
        with tempfile.TemporaryDirectory() as elsewhere:
            done = subprocess.run(command, env=env, capture_output=True, text=True,
                                  timeout=timeout, check=False, cwd=elsewhere)
    except subprocess.TimeoutExpired:
        return Run(error=f"timed out after {timeout:.0f} s")
    run = Run(wall=time.perf_counter() - started)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    try:
        found = json.loads(done.stdout)["findings"]
    except (ValueError, KeyError):
        run.error = f"exit {done.returncode}: {done.stderr.strip().splitlines()[-1:]}"
        return run
    run.findings = {(f["code"], f["path"], f["line"], f["column"], f["message"]) for f in found}
    return run


def compare(tree: Path, base: Path, current: Path, seeds: list[int], jobs: int,
            timeout: float, exclude: str) -> dict:
    """(The baseline is scanned under the first seed only.)"""
    old = [scan(tree, base, seeds[0], jobs, timeout, exclude)]
    new = [scan(tree, current, seed, jobs, timeout, exclude) for seed in seeds]
    row = {"tree": str(tree),
           "base": [len(r.findings) for r in old], "new": [len(r.findings) for r in new],
           "base_cpu": old[0].cpu, "new_cpu": new[0].cpu,
           "base_wall": old[0].wall, "new_wall": new[0].wall,
           "errors": [r.error for r in old + new if r.error],
           "new_seed_dependent": any(r.findings != new[0].findings for r in new),
           }
    row["only_base"] = sorted(old[0].findings - new[0].findings)
    row["only_new"] = sorted(new[0].findings - old[0].findings)
    return row


def trees_of(paths: list[str], each: bool) -> list[Path]:
    found = []
    for path in map(Path, paths):
        found += sorted(p for p in path.iterdir() if p.is_dir()) if each else [path]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+")
    parser.add_argument("--base", required=True, type=Path)
    parser.add_argument("--new", type=Path, default=CHECKOUT)
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--each", action="store_true")
    parser.add_argument("--exclude", default="", help="passed to scan (site-packages, ...)")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    load = os.getloadavg()[0]
    rows = []
    for tree in trees_of(args.trees, args.each):
        row = compare(tree, args.base, args.new, seeds, args.jobs, args.timeout, args.exclude)
        rows.append(row)
        same = "same" if not row["only_base"] and not row["only_new"] else \
            f"-{len(row['only_base'])} +{len(row['only_new'])}"
        flags = "".join([" SEED-DEPENDENT(new)" if row["new_seed_dependent"] else "",
                         f" ERRORS {row['errors']}" if row["errors"] else ""])
        print(f"{tree.name[:48]:48} base {row['base']} new {row['new']} {same:8} "
              f"cpu {row['base_cpu']:7.2f} {row['new_cpu']:7.2f}  "
              f"wall {row['base_wall']:7.2f} {row['new_wall']:7.2f}{flags}", flush=True)
        if args.out:
            args.out.write_text(json.dumps(rows, indent=1))
    print(f"total cpu base {sum(r['base_cpu'] for r in rows):.1f} s, "
          f"new {sum(r['new_cpu'] for r in rows):.1f} s; trees with other findings: "
          f"{sum(bool(r['only_base'] or r['only_new']) for r in rows)} of {len(rows)}; "
          f"load average {load:.2f} before, {os.getloadavg()[0]:.2f} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
