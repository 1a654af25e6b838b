"""Speed of ``loopdoctor scan`` against the floor of any Python AST tool, in one run.

(a) one process that reads and ``ast.parse``s every file, (b) ``loopdoctor scan --no-cache``,
(c) the same with a warm cache. The machine may be shared and noisy: each measurement is
repeated, interleaved, and the median is reported, with ratios to (a).

    python benchmarks/bench_scan.py [PATH] [--repeat 3]

PATH defaults to the running interpreter's standard library (``site-packages`` excluded).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
from pathlib import Path

EXCLUDE = "site-packages"


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py")
                  if EXCLUDE not in p.relative_to(root).parts and p.is_file())


def parse_floor(files: list[Path]) -> float:
    started = time.perf_counter()
    for path in files:
        with warnings.catch_warnings(), contextlib.suppress(
                SyntaxError, ValueError, MemoryError, RecursionError):
            warnings.simplefilter("ignore")
            ast.parse(path.read_bytes(), filename=str(path))
    return time.perf_counter() - started


def run_scan(root: Path, cache_dir: Path | None) -> float:
    command = [sys.executable, "-m", "loopdoctor", "scan", str(root), "--exit-zero",
               "--exclude", EXCLUDE, "--statistics"]
    command += ["--cache-dir", str(cache_dir)] if cache_dir else ["--no-cache"]
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=sysconfig.get_paths()["stdlib"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = Path(args.path)
    files = python_files(root)
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    cache = Path(tempfile.mkdtemp(prefix="loopdoctor-bench-"))
    try:
        run_scan(root, cache)  # fill the cache once
        floor, cold, warm = [], [], []
        for _ in range(args.repeat):
            floor.append(parse_floor(files))
            cold.append(run_scan(root, None))
            warm.append(run_scan(root, cache))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    a, b, c = (statistics.median(x) for x in (floor, cold, warm))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {root}")
    print(f"{len(files)} files, {lines:,} lines; median of {args.repeat} interleaved runs")
    print(f"(a) ast.parse floor, 1 process    {a:7.2f} s   {lines / a:>10,.0f} lines/s")
    print(f"(b) loopdoctor scan --no-cache    {b:7.2f} s   {lines / b:>10,.0f} lines/s"
          f"   {b / a:.2f}x floor")
    print(f"(c) loopdoctor scan, warm cache   {c:7.2f} s   {lines / c:>10,.0f} lines/s"
          f"   {c / a:.2f}x floor")


if __name__ == "__main__":
    main()
