"""Speed of ``loopdoctor scan`` against the floor of any Python AST tool, on three kinds of tree.

For each tree: (a) one process that reads and ``ast.parse``s every file, (b) ``loopdoctor
scan --no-cache``, (c) the same with a warm cache. The machine may be shared and noisy: each
measurement is repeated, the trees and the three runs interleaved, and the median is reported,
with ratios to (a) of the same tree.

    python benchmarks/bench_scan.py [--tree stdlib,deps,project] [--repeat 3] [PATH ...]

The trees:

- ``stdlib``: the running interpreter's standard library (``site-packages`` excluded);
- ``deps``: a real dependency tree, the ``site-packages`` of a venv built once under
  ``--cache`` (default ``~/.cache/loopdoctor-bench``) with the pinned ``DEPENDENCIES`` from the
  package index;
- ``project``: a real project's own source, the pinned ``PROJECT`` sdist downloaded with pip
  into ``--cache``, checked against its sha256 and unpacked there;
- any PATH given: that folder, as it is.

Each time is also measured in CPU seconds (user + sys: of this process for the floor, of the
scan and its worker processes for (b) and (c)), which a machine busy with other jobs disturbs
less than wall seconds; the second table shows them.

Set ``LOOPDOCTOR_PROFILE=FILE`` to have each scan also write where its time goes (see
``loopdoctor/scan/timing.py``); ``--phases`` prints that, per tree, for the cold run.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
import venv
import warnings
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pinned import sha256_of

EXCLUDE = "site-packages"
TREES = ("stdlib", "deps", "project")
DEPENDENCIES = ("openai==3.57.0", "httpx==0.28.1", "httpx2==2.16.2", "starlette==1.10.0",
                "uvicorn==0.54.0", "rich==15.0.0", "typer==0.29.2", "pytest==9.2.0",
                "respx==0.23.1")
PROJECT = "pydantic-ai-slim==2.68.0"
PROJECT_SDIST = "pydantic_ai_slim-2.68.0.tar.gz"
PROJECT_SHA256 = "7e545ad147ee955d3ee83532ad793570a444a3e7c290328c4809b67a32c78a01"


class SetupError(Exception):
    """A download, a check or a venv build failed: said in one line, no traceback."""


@dataclass
class Tree:
    name: str
    root: Path
    exclude: str | None = None
    files: list[Path] = field(default_factory=list)
    lines: int = 0
    floor: list[float] = field(default_factory=list)
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    cpu: dict[str, list[float]] = field(
        default_factory=lambda: {"floor": [], "cold": [], "warm": []})
    phases: dict[str, float] = field(default_factory=dict)


# -- the trees ------------------------------------------------------------------------------

def stdlib_tree(cache: Path) -> Tree:
    return Tree("stdlib", Path(sysconfig.get_paths()["stdlib"]), EXCLUDE)


def deps_tree(cache: Path) -> Tree:
    """A venv's site-packages with the pinned dependencies, built once and kept."""
    folder = cache / "deps"
    stamp = folder / ".complete"
    if not stamp.is_file() or stamp.read_text() != "\n".join(DEPENDENCIES):
        shutil.rmtree(folder, ignore_errors=True)
        venv.create(folder, with_pip=True)
        _run([str(_venv_python(folder)), "-m", "pip", "install", "-q",
              "--disable-pip-version-check", *DEPENDENCIES], "installing the dependencies")
        stamp.write_text("\n".join(DEPENDENCIES))
    found = sorted(folder.glob("lib/python*/site-packages")) or sorted(
        folder.glob("Lib/site-packages"))
    if not found:
        raise SetupError(f"no site-packages under {folder}")
    return Tree("deps", found[0])


def project_tree(cache: Path) -> Tree:
    """The pinned project's sdist, downloaded with pip, sha256-checked, unpacked once."""
    sdist = cache / "sdists" / PROJECT_SDIST
    if not sdist.is_file():
        sdist.parent.mkdir(parents=True, exist_ok=True)
        _run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
              "--no-deps", "--no-binary", ":all:", "--dest", str(sdist.parent), PROJECT],
             f"downloading {PROJECT}")
    digest = sha256_of(sdist)
    if digest != PROJECT_SHA256:
        sdist.unlink()
        raise SetupError(f"{sdist.name}: sha256 {digest}, pinned {PROJECT_SHA256} (removed)")
    dest = cache / "project" / sdist.name.removesuffix(".tar.gz")
    if not (dest / ".complete").is_file():
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        with tarfile.open(sdist) as archive:
            if hasattr(tarfile, "data_filter"):
                archive.extractall(dest, filter="data")
            else:  # a Python from before extraction filters
                archive.extractall(dest)
        (dest / ".complete").write_text(digest)
    return Tree("project", next(p for p in dest.iterdir() if p.is_dir()))


def _venv_python(folder: Path) -> Path:
    return folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise SetupError(f"{what} failed: {last}")


BUILDERS = {"stdlib": stdlib_tree, "deps": deps_tree, "project": project_tree}


def trees_asked(names: list[str], paths: list[str], cache: Path) -> list[Tree]:
    trees = [BUILDERS[name](cache) for name in names]
    for path in paths:
        root = Path(path)
        if not root.is_dir():
            raise SetupError(f"not a folder: {path}")
        trees.append(Tree(root.name or str(root), root))
    for tree in trees:
        tree.files = python_files(tree.root, tree.exclude)
        tree.lines = sum(p.read_bytes().count(b"\n") for p in tree.files)
    return trees


# -- the measurements -----------------------------------------------------------------------

def python_files(root: Path, exclude: str | None) -> list[Path]:
    return sorted(p for p in root.rglob("*.py")
                  if exclude not in p.relative_to(root).parts and p.is_file())


def parse_floor(files: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds of reading and parsing every file in this process."""
    started, cpu = time.perf_counter(), time.process_time()
    for path in files:
        with warnings.catch_warnings(), contextlib.suppress(
                SyntaxError, ValueError, MemoryError, RecursionError):
            warnings.simplefilter("ignore")
            ast.parse(path.read_bytes(), filename=str(path))
    return time.perf_counter() - started, time.process_time() - cpu


def run_scan(tree: Tree, cache_dir: Path | None,
             profile: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (the scan's and its workers') of one scan."""
    command = [sys.executable, "-m", "loopdoctor", "scan", str(tree.root), "--exit-zero",
               "--statistics"]
    command += ["--exclude", tree.exclude] if tree.exclude else []
    command += ["--cache-dir", str(cache_dir)] if cache_dir else ["--no-cache"]
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: the modules' bytecode is cached
    if profile is not None:
        env["LOOPDOCTOR_PROFILE"] = str(profile)
    before, started = _children_cpu(), time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=tempfile.gettempdir(),
                   env=env)
    return time.perf_counter() - started, _children_cpu() - before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(trees: list[Tree], repeat: int, phases: bool) -> None:
    caches = {t.name: Path(tempfile.mkdtemp(prefix="loopdoctor-bench-")) for t in trees}
    try:
        for tree in trees:
            run_scan(tree, caches[tree.name])  # fill the cache once
        for _ in range(repeat):
            for tree in trees:
                for kind, (wall, cpu) in [("floor", parse_floor(tree.files)),
                                          ("cold", run_scan(tree, None)),
                                          ("warm", run_scan(tree, caches[tree.name]))]:
                    getattr(tree, kind).append(wall)
                    tree.cpu[kind].append(cpu)
        if phases:
            for tree in trees:
                tree.phases = profiled(tree)
    finally:
        for folder in caches.values():
            shutil.rmtree(folder, ignore_errors=True)


def profiled(tree: Tree) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "phases.json"
        run_scan(tree, None, out)
        return json.loads(out.read_text()) if out.is_file() else {}


# -- the report -----------------------------------------------------------------------------

def report(trees: list[Tree], repeat: int, load: tuple[float, float]) -> None:
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average "
          f"{load[0]:.2f} before, {load[1]:.2f} after; median of {repeat} interleaved runs")
    print(f"{'tree':<10} {'files':>6} {'lines':>10} {'(a) floor s':>11} {'(b) cold s':>10} "
          f"{'(b)/(a)':>7} {'(c) warm s':>10} {'(c)/(a)':>7}")
    for t in trees:
        a, b, c = (statistics.median(x) for x in (t.floor, t.cold, t.warm))
        print(f"{t.name:<10} {len(t.files):>6} {t.lines:>10,} {a:>11.2f} {b:>10.2f} "
              f"{b / a:>6.2f}x {c:>10.2f} {c / a:>6.2f}x")
    print(f"CPU seconds: {'tree':<10} {'(a) floor':>9} {'(b) cold':>9} {'(b)/(a)':>7} "
          f"{'(c) warm':>9} {'(c)/(a)':>7}")
    for t in trees:
        a, b, c = (statistics.median(t.cpu[k]) for k in ("floor", "cold", "warm"))
        print(f"             {t.name:<10} {a:>9.2f} {b:>9.2f} {b / a:>6.2f}x {c:>9.2f} "
              f"{c / a:>6.2f}x")
    for t in trees:
        print(f"  {t.name}: {t.root}")
        if t.phases:
            print("    " + ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
                                     for k, v in t.phases.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", metavar="PATH", help="more trees: these folders")
    parser.add_argument("--tree", default=None,
                        help=f"comma-separated, of {','.join(TREES)} [default: all three, "
                             "or none when a PATH is given]")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path,
                        default=Path.home() / ".cache" / "loopdoctor-bench")
    parser.add_argument("--phases", action="store_true",
                        help="also profile one cold scan per tree and print its phases")
    args = parser.parse_args()
    names = [n for n in (args.tree or ("" if args.paths else ",".join(TREES))).split(",") if n]
    unknown = [n for n in names if n not in TREES]
    if unknown:
        parser.error(f"unknown tree {unknown[0]!r}: choose from {', '.join(TREES)}")
    try:
        trees = trees_asked(names, args.paths, args.cache)
    except SetupError as exc:
        print(f"bench_scan: {exc}", file=sys.stderr)
        return 2
    before = os.getloadavg()[0]
    measure(trees, args.repeat, args.phases)
    report(trees, args.repeat, (before, os.getloadavg()[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
