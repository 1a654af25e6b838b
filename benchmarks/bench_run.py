"""How fast `loopdoctor run` is, measured side by side in one run: ratios, not absolute claims.

    python benchmarks/bench_run.py [--timeouts 5 2] [--clients openai aiohttp] [--cells 40]
                                   [--rounds 3] [--baseline DIR] [--only-gate]

1. ``run --all --client KIND --timeout T``, for each kind of client installed (or those given):
   wall time (the whole CLI, as a user waits for it) against T; the target is at most T + 3 s
   on 2 cores, hung cells included. T = 5 is the default timeout; a smaller T shows the floor
   the cells' CPU time sets. Beside it, the CPU time of the run's own processes (CLI,
   forkserver, endpoint, cells: every descendant, reaped by this script), and the CPU time the
   whole machine spent meanwhile (the other jobs' too).
2. A ``--factory`` gate (the 11 scenarios, a cached ``openai.AsyncOpenAI``): the target is at
   most T + 2 s.
   With ``--processes``, where its CPU time goes: the gate once more per round, every process
   of it sampled every 20 ms (CLI, forkserver, endpoint, resource tracker, cells).
3. Per-cell overhead, fork to verdict, of a PASS cell whose scenario does nothing: the wall time
   of N such cells and of 2N, the difference divided by N (so the CLI's start, the endpoint's
   and the forkserver's cancel out); with ``--jobs 1`` (one cell after the other: latency) and
   with ``--jobs 256`` (cells at once: throughput). Beside it, what a cell would cost if it
   were a fresh interpreter: ``python -c "import openai"``.

Each figure is the median of ``--rounds`` rounds (for a cell: of the paired differences); the
machine may be shared, so the load average is printed before and after. ``--baseline DIR``
measures 1 and 2 with the loopdoctor package in DIR too (a checkout of another commit, e.g.
``git archive main | tar -x -C DIR``), round by round alternating with this one, so that both
see the same load.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psutil

from loopdoctor.run.clients import KINDS, available

LOOPDOCTOR = [sys.executable, "-m", "loopdoctor"]
IMPORT_OPENAI = [sys.executable, "-c", "import openai"]
USAGE_ERROR = 2
NOOP_SCENARIO = """\
from loopdoctor.run.scenario import Scenario

scenario = Scenario(name="noop", summary="does nothing", requests=0, body=lambda ctx: None)
"""
CACHED_FACTORY = """\
import functools

import openai


@functools.cache  # one client for the whole process
def get_client(base_url, api_key):
    return openai.AsyncOpenAI(base_url=base_url, api_key=api_key)
"""
ALL_AT_ONCE = 256  # --jobs: as many cells at once as the harness allows
PR_SET_CHILD_SUBREAPER = 36
SAMPLE = 0.02  # seconds between two looks at a measured command's processes


@dataclass(frozen=True)
class Figure:
    what: str
    seconds: float
    note: str = ""


def busy_cpu_seconds() -> float:
    """CPU time the machine has spent busy since it booted (Linux /proc/stat)."""
    with open("/proc/stat") as stat:
        user, nice, system, _idle, _iowait, irq, softirq = map(int, stat.readline().split()[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def wall(command: list[str]) -> float:
    return wall_and_cpu(command)[0]


def become_subreaper() -> None:
    """Make the processes a measured command leaves orphaned (cells whose forkserver was killed)
    this script's children, so that their CPU time is counted when it reaps them (Linux)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1)


def reaped_cpu_seconds() -> float:
    """CPU time of every descendant of this script that has been reaped, theirs included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reap_orphans() -> None:
    with contextlib.suppress(ChildProcessError):
        while True:
            os.wait()


def wall_and_cpu(command: list[str], cwd: Path | None = None,
                 code: Path | None = None) -> tuple[float, float, float]:
    """Wall seconds of ``command``, run with the loopdoctor in ``code`` (None: this one), the
    CPU seconds of its processes (all of them), and the machine's busy CPU seconds meanwhile."""
    env = {**os.environ, "PYTHONPATH": str(code)} if code is not None else None
    started, own, machine = time.perf_counter(), reaped_cpu_seconds(), busy_cpu_seconds()
    done = subprocess.run(command, check=False, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, timeout=600, cwd=cwd, env=env)
    seconds = time.perf_counter() - started
    if done.returncode == USAGE_ERROR:  # a run that did nothing must not be timed as one
        sys.exit(f"{' '.join(command)}: {done.stderr.decode().strip()}")
    reap_orphans()
    return seconds, reaped_cpu_seconds() - own, busy_cpu_seconds() - machine


def cpu_by_role(command: list[str], cwd: Path, code: Path | None) -> Counter[str]:
    """CPU seconds of each kind of process ``command`` starts, by its last sample (what a
    process spends after it, up to 20 ms, is missed)."""
    env = {**os.environ, "PYTHONPATH": str(code)} if code is not None else None
    cli = psutil.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    seen: dict[int, tuple[str, float]] = {}
    while cli.poll() is None:
        for process in cli.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                role = seen.get(process.pid, ("other",))[0]
                if role == "other":  # or a child not yet exec'd
                    role = _role(process, cli.pid)
                seen[process.pid] = (role, times.user + times.system)
        with contextlib.suppress(psutil.Error):
            times = cli.cpu_times()
            seen[cli.pid] = ("CLI", times.user + times.system)
        time.sleep(SAMPLE)
    reap_orphans()
    by_role: Counter[str] = Counter()
    for role, cpu in seen.values():
        by_role[role] += cpu
    return by_role


def _role(process: psutil.Process, cli: int) -> str:
    command = " ".join(process.cmdline())
    if "multiprocessing.forkserver" in command:  # cells are forked from it: same command line
        return "forkserver" if process.ppid() == cli else "cells"
    if "endpoint" in command:
        return "endpoint"
    return "resource tracker" if "resource_tracker" in command else "other"


def measure_processes(selection: list[str], timeout: float, rounds: int, workdir: Path,
                      baseline: Path | None) -> list[str]:
    """The median CPU seconds of each kind of process, for this code and the baseline's."""
    command = run_command(selection, timeout, workdir / "report.json")
    codes: list[Path | None] = [None] if baseline is None else [None, baseline]
    measured: dict[Path | None, list[Counter[str]]] = {code: [] for code in codes}
    for _ in range(rounds):
        for code in codes:
            measured[code].append(cpu_by_role(command, workdir, code))
    lines = []
    for code, runs in measured.items():
        roles = dict.fromkeys(role for run in runs for role in run)
        parts = [f"{role} {statistics.median(run[role] for run in runs):.2f} s" for role in roles]
        lines.append(f"  {code or 'this code'}: " + ", ".join(parts))
    return lines


def run_command(selection: list[str], timeout: float, report: Path) -> list[str]:
    return [*LOOPDOCTOR, "run", *selection, "--timeout", str(timeout), "--format", "json",
            "--output", str(report)]


def measure_run(what: str, selection: list[str], timeout: float, target: float, rounds: int,
                workdir: Path, baseline: Path | None = None) -> tuple[list[Figure], list[str]]:
    """The median round of ``loopdoctor run SELECTION --timeout T``, against T + target; with a
    baseline, the same for its code, the rounds alternating."""
    report = workdir / "report.json"
    command = run_command(selection, timeout, report)
    codes: list[Path | None] = [None] if baseline is None else [None, baseline]
    measured: dict[Path | None, list[tuple[float, float, float, dict]]] = {
        code: [] for code in codes}
    for _ in range(rounds):
        for code in codes:
            measured[code].append((*wall_and_cpu(command, workdir, code),
                                   json.loads(report.read_text())))
    figures = [_run_figure(f"{what} --timeout {timeout:g}" + (f" [{code}]" if code else ""),
                           sorted(measured[code], key=lambda round_: round_[0]), timeout, target)
               for code in codes]
    return figures, command


def _run_figure(what: str, measured: list[tuple[float, float, float, dict]], timeout: float,
                target: float) -> Figure:
    seconds, _, _, result = measured[len(measured) // 2]
    own = statistics.median(m[1] for m in measured)
    machine = statistics.median(m[2] for m in measured)
    cells = result["cells"]
    outcomes = Counter(cell["outcome"] for cell in cells)
    spread = ", ".join(f"{n} {outcome}" for outcome, n in outcomes.most_common())
    note = (f"T + {seconds - timeout:.2f} s (target ≤ T + {target:g} s; rounds: "
            f"{', '.join(f'{m[0]:.2f}' for m in measured)} s); its processes' CPU {own:.2f} s "
            f"(rounds: {', '.join(f'{m[1]:.2f}' for m in sorted(measured, key=lambda m: m[1]))});"
            f" machine CPU {machine:.1f} s; {len(cells)} cells: {spread}")
    return Figure(what, seconds, note)


def noop_command(folder: Path, repeat: int, jobs: int) -> list[str]:
    return [*LOOPDOCTOR, "run", "--scenarios", str(folder), "-s", "noop", "--strategy",
            "per-call", "--repeat", str(repeat), "--jobs", str(jobs), "--timeout", "5",
            "--format", "json", "--output", os.devnull]


def per_cell(folder: Path, cells: int, jobs: int, rounds: int) -> tuple[float, list[str]]:
    """Seconds per PASS cell: (wall of 2N cells - wall of N cells) / N, paired by round."""
    few = noop_command(folder, cells, jobs)
    many = noop_command(folder, 2 * cells, jobs)
    differences = [(wall(many) - wall(few)) / cells for _ in range(rounds)]
    return statistics.median(differences), many


def fresh_import(rounds: int) -> float:
    return statistics.median(wall(IMPORT_OPENAI) for _ in range(max(5, rounds)))


def load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def render(figures: list[Figure], baseline: float) -> str:
    rows = [(f.what, f"{f.seconds * 1000:.0f} ms" if f.seconds < 1 else f"{f.seconds:.2f} s",
             f"{f.seconds / baseline:.2f} × fresh import" if f.seconds < 1 else "", f.note)
            for f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join("  ".join(row[i].ljust(widths[i]) for i in range(3)) + "  " + row[3]
                     for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeouts", type=float, nargs="+", default=[5.0, 2.0],
                        help="the Ts for run --all (5: the default)")
    parser.add_argument("--clients", nargs="+", default=available(), choices=list(KINDS),
                        help="the kinds of client to run --all with [default: those installed]")
    parser.add_argument("--cells", type=int, default=40, help="N no-op cells (and 2N)")
    parser.add_argument("--rounds", type=int, default=3, help="take the median of this many")
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="also measure the runs with the loopdoctor package in DIR")
    parser.add_argument("--only-gate", action="store_true",
                        help="only the --factory gate (no run --all, no per-cell figures)")
    parser.add_argument("--processes", action="store_true",
                        help="also the gate's CPU time by process (CLI, forkserver, cells...)")
    args = parser.parse_args()
    baseline = args.baseline.resolve() if args.baseline else None
    become_subreaper()

    print(f"{KINDS['openai'].label} · Python {sys.version.split()[0]} · {os.cpu_count()} cores · "
          f"load {load()} (1/5/15 min) before")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        (workdir / "scenarios").mkdir()
        (workdir / "scenarios" / "noop.py").write_text(NOOP_SCENARIO)
        (workdir / "cachedfactory.py").write_text(CACHED_FACTORY)
        kinds = [] if args.only_gate else args.clients
        runs = [measure_run(f"run --all --client {kind}", ["--all", "--client", kind], timeout,
                            3, args.rounds, workdir, baseline)
                for kind in kinds for timeout in args.timeouts]
        runs += [measure_run("run --factory (cached AsyncOpenAI)",
                             ["--factory", "cachedfactory:get_client"], timeout, 2,
                             args.rounds, workdir, baseline)
                 for timeout in args.timeouts]
        figures = [figure for run_figures, _ in runs for figure in run_figures]
        commands = [command for _, command in runs]
        if not args.only_gate:
            scenarios = workdir / "scenarios"
            serial, serial_cmd = per_cell(scenarios, args.cells, 1, args.rounds)
            parallel, parallel_cmd = per_cell(scenarios, args.cells, ALL_AT_ONCE, args.rounds)
            figures += [
                Figure("PASS cell, fork to verdict (--jobs 1)", serial, "latency per cell"),
                Figure(f"PASS cell, cells at once (--jobs {ALL_AT_ONCE})", parallel,
                       "wall per cell"),
            ]
            commands += [serial_cmd, parallel_cmd]
        baseline_import = fresh_import(args.rounds)
        figures.append(Figure("fresh python -c 'import openai'", baseline_import,
                              "median, per process"))
        print(render(figures, baseline_import))
        if args.processes:
            print(f"the gate's CPU by process, median of {args.rounds} (T = {args.timeouts[0]:g}):")
            print("\n".join(measure_processes(["--factory", "cachedfactory:get_client"],
                                              args.timeouts[0], args.rounds, workdir, baseline)))
        print(f"load {load()} after; median of {args.rounds} rounds; per cell = "
              f"(wall of --repeat {2 * args.cells} - wall of --repeat {args.cells}) / "
              f"{args.cells}")
        print("commands" + (f" (and with PYTHONPATH={baseline})" if baseline else "") + ":")
        for command in (*commands, IMPORT_OPENAI):
            print("  " + shlex.join(command).replace(str(workdir), "$TMP"))


if __name__ == "__main__":
    main()
