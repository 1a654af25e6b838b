"""Where a warm ``loopdoctor scan`` goes: the process start and imports, side by side with the
parse floor of the same tree, in wall and in CPU seconds (user + sys: what a loaded machine
disturbs least).

    python benchmarks/bench_scan_start.py [--tree project] [--repeat 7]

Each round runs, interleaved: an empty interpreter; ``import typer``; ``import pydantic``
(typer coerces every non-flag option with it); ``loopdoctor scan --help``; a warm scan of the
tree (the cache filled once before); and the floor (one process that ``ast.parse``s every
file). The minimum of the rounds is shown, with the ratio to the floor.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scan import TREES, SetupError, trees_asked


def child(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=tempfile.gettempdir(),
                   env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def floor(files: list[Path]) -> tuple[float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    for path in files:
        with warnings.catch_warnings(), contextlib.suppress(
                SyntaxError, ValueError, MemoryError, RecursionError):
            warnings.simplefilter("ignore")
            ast.parse(path.read_bytes(), filename=str(path))
    return time.perf_counter() - started, time.process_time() - cpu


def commands(root: Path, exclude: str | None, cache: Path) -> dict[str, list[str]]:
    scan = [sys.executable, "-m", "loopdoctor", "scan", str(root), "--exit-zero",
            "--statistics", "--cache-dir", str(cache)]
    scan += ["--exclude", exclude] if exclude else []
    return {"python -c pass": [sys.executable, "-c", "pass"],
            "import typer": [sys.executable, "-c", "import typer"],
            "import pydantic": [sys.executable, "-c", "import pydantic"],
            "loopdoctor scan --help": [sys.executable, "-m", "loopdoctor", "scan", "--help"],
            "warm scan": scan}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", default="project", choices=TREES)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--cache", type=Path,
                        default=Path.home() / ".cache" / "loopdoctor-bench")
    args = parser.parse_args()
    try:
        tree = trees_asked([args.tree], [], args.cache)[0]
    except SetupError as exc:
        print(f"bench_scan_start: {exc}", file=sys.stderr)
        return 2
    files = tree.files
    cache = Path(tempfile.mkdtemp(prefix="loopdoctor-bench-"))
    try:
        runs = commands(tree.root, tree.exclude, cache)
        child(runs["warm scan"])  # fills the cache
        best: dict[str, tuple[float, float]] = {}
        for _ in range(args.repeat):
            for name, command in [*runs.items(), ("floor", None)]:
                wall, cpu = floor(files) if command is None else child(command)
                old = best.get(name, (wall, cpu))
                best[name] = (min(old[0], wall), min(old[1], cpu))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    report(tree.name, len(files), best, args.repeat)
    return 0


def report(name: str, files: int, best: dict[str, tuple[float, float]], repeat: int) -> None:
    print(f"{name}, {files} files; python {sys.version.split()[0]}, load average "
          f"{os.getloadavg()[0]:.2f}; minimum of {repeat} interleaved rounds")
    wall_floor, cpu_floor = best["floor"]
    print(f"{'':<24} {'wall s':>7} {'/floor':>7} {'CPU s':>7} {'/floor':>7}")
    for what, (wall, cpu) in best.items():
        print(f"{what:<24} {wall:>7.3f} {wall / wall_floor:>6.3f}x {cpu:>7.3f} "
              f"{cpu / cpu_floor:>6.3f}x")


if __name__ == "__main__":
    sys.exit(main())
