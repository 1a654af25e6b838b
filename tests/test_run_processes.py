"""Children never outlive the run: not after a hang, Ctrl-C, a cell that ignores SIGTERM or
starts processes of its own, a cell that crashes, nor after the CLI gets SIGTERM or SIGKILL.

Every run is a real ``python -m loopdoctor run`` subprocess. Its environment carries a marker
unique to the test; every process it starts (endpoint, forkserver, resource tracker, cells and
whatever they start) inherits it, so a leftover is found by scanning every process's environment,
whoever its parent is by then. The processes seen under the CLI while it ran must be gone too.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import pytest

from loopdoctor.run.harness import forkserver

MARKER_VAR = "LOOPDOCTOR_TEST_RUN_MARKER"
READY_VAR = "LOOPDOCTOR_TEST_READY_DIR"
SAMPLE = 0.1  # seconds between two looks at the CLI's descendants
SETTLE = 3.0  # seconds the process tree gets to go away once the CLI has exited
RUN_LIMIT = 40  # seconds any CLI run may take

# User scenarios. A blocking body first touches a file in $READY_VAR: its cell is running.
SCENARIOS = {
    "blocks": """
        def body(ctx):
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                signal.signal(sig, signal.SIG_IGN)
            ready()
            while True:
                time.sleep(600)
    """,
    "spawns": """
        SLEEPER = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); " \\
                  "time.sleep(600)"

        def body(ctx):
            subprocess.Popen([sys.executable, "-c", SLEEPER])
            ready()
            time.sleep(600)
    """,
    "exits": """
        def body(ctx):
            os._exit(3)
    """,
    "aborts": """
        def body(ctx):
            os.abort()
    """,
    "segfaults": """
        def body(ctx):
            ctypes.string_at(0)
    """,
}
PREAMBLE = f"""
import ctypes, os, signal, subprocess, sys, time
from pathlib import Path

from loopdoctor.run.scenario import Scenario


def ready():
    (Path(os.environ["{READY_VAR}"]) / str(os.getpid())).touch()
"""


def write_scenarios(folder: Path) -> Path:
    folder.mkdir()
    for name, body in SCENARIOS.items():
        source = PREAMBLE + textwrap.dedent(body) + (
            f"\nscenario = Scenario(name={name!r}, summary={name!r}, requests=0, body=body)\n")
        (folder / f"{name}.py").write_text(source)
    return folder




def alive(process: psutil.Process) -> bool:
    try:  # is_running() also tells a reused pid from the process that was seen
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def marked_processes(marker: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get(MARKER_VAR) == marker and alive(process):
                found.append(process)
        except psutil.Error:  # gone meanwhile, or not ours to read
            continue
    return found


def describe(processes: list[psutil.Process]) -> str:
    lines = []
    for process in processes:
        try:
            lines.append(f"{process.pid} (parent {process.ppid()}): "
                         f"{' '.join(process.cmdline())[:160]}")
        except psutil.Error:
            lines.append(f"{process.pid}: gone")
    return "\n".join(lines)


@dataclass
class CliRun:
    """``python -m loopdoctor run ARGS`` in a subprocess, its descendants sampled as it runs."""

    args: list[str]
    workdir: Path
    marker: str = field(default_factory=lambda: uuid.uuid4().hex)
    seen: dict[int, psutil.Process] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)  # pid -> forkserver, cell, endpoint...

    def __post_init__(self) -> None:
        self.ready_dir = self.workdir / "ready"
        self.ready_dir.mkdir(exist_ok=True)
        self.report_path = self.workdir / "report.json"
        self.stderr_path = self.workdir / "stderr.txt"
        env = {**os.environ, MARKER_VAR: self.marker, READY_VAR: str(self.ready_dir)}
        command = [sys.executable, "-m", "loopdoctor", "run", *self.args,
                   "--format", "json", "--output", str(self.report_path)]
        with open(self.stderr_path, "w") as stderr:
            self.process = subprocess.Popen(
                command, env=env, cwd=self.workdir, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True,
                # a shell's background job starts with Ctrl-C ignored; a user's terminal does not
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            )
        self.psutil_process = psutil.Process(self.process.pid)
        self.started = time.monotonic()

    def sample(self) -> None:
        try:
            descendants = self.psutil_process.children(recursive=True)
        except psutil.NoSuchProcess:
            return
        for process in descendants:
            self.seen.setdefault(process.pid, process)
            if self.roles.get(process.pid, "other") == "other":  # a fork execs a moment later
                with contextlib.suppress(psutil.Error):
                    self.roles[process.pid] = role(process, self.process.pid)

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        while not condition():
            if self.process.poll() is not None:
                pytest.fail(f"the CLI exited ({self.process.returncode}) before {what}: "
                            f"{self.stderr()}")
            if time.monotonic() - self.started > RUN_LIMIT:
                self.kill_tree()
                pytest.fail(f"no {what} within {RUN_LIMIT} s")
            self.sample()
            time.sleep(SAMPLE)

    def wait_until_cells_run(self, count: int = 1) -> None:
        self.wait_for(lambda: len(list(self.ready_dir.iterdir())) >= count, "cell running")

    def finish(self, limit: float = RUN_LIMIT) -> int:
        deadline = time.monotonic() + limit
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                self.kill_tree()
                pytest.fail(f"the CLI did not exit within {limit} s")
            self.sample()
            time.sleep(SAMPLE)
        return self.process.returncode

    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def report(self) -> dict[str, Any]:
        return json.loads(self.report_path.read_text())

    def outcomes(self) -> dict[str, tuple[str, str]]:
        return {cell["scenario"]: (cell["outcome"], cell["explanation"])
                for cell in self.report()["cells"]}

    def leftovers(self) -> list[psutil.Process]:
        seen_alive = [p for p in self.seen.values() if alive(p)]
        return seen_alive + [p for p in marked_processes(self.marker) if p.pid not in self.seen]

    def kill_tree(self) -> None:
        """Clean up after a failed test, so that one failure does not leak into the next."""
        for process in [*self.leftovers(), self.psutil_process]:
            with contextlib.suppress(psutil.Error):
                process.kill()

    def assert_nothing_left(self) -> None:
        assert self.process.poll() is not None
        deadline = time.monotonic() + SETTLE
        while (left := self.leftovers()) and time.monotonic() < deadline:
            time.sleep(SAMPLE)
        report = describe(left)
        if left:
            self.kill_tree()
        assert not left, f"processes outlived the run:\n{report}"

    def assert_saw(self, **least: int) -> None:
        """The harness's processes were really seen, so that "none left" means something."""
        counts = Counter(self.roles.values())
        assert all(counts[role] >= n for role, n in least.items()), counts


def role(process: psutil.Process, cli_pid: int) -> str:
    command = " ".join(process.cmdline())
    if "multiprocessing.forkserver" in command:  # cells are forked from it: same command line
        return "forkserver" if process.ppid() == cli_pid else "cell"
    if "loopdoctor.endpoint.process" in command:
        return "endpoint"
    if "multiprocessing.resource_tracker" in command:
        return "resource tracker"
    return "other"


Starter = Callable[..., CliRun]


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    return write_scenarios(tmp_path / "user_scenarios")


@pytest.fixture
def start_cli(tmp_path: Path) -> Iterator[Starter]:
    """Start ``loopdoctor run ARGS``; whatever a failed test left running is killed after it."""
    runs: list[CliRun] = []

    def start(args: list[str], files: dict[str, str] | None = None) -> CliRun:
        workdir = tmp_path / f"run{len(runs)}"
        workdir.mkdir()
        for name, text in (files or {}).items():
            (workdir / name).write_text(text)
        runs.append(CliRun(args, workdir))
        return runs[-1]

    yield start
    for run in runs:
        run.kill_tree()


def assert_no_traceback(run: CliRun) -> None:
    assert "Traceback" not in run.stderr(), run.stderr()


@pytest.mark.timeout(60)
def test_a_hung_cell_leaves_nothing_behind(start_cli: Starter) -> None:
    run = start_cli(["-s", "concurrent-loops", "--strategy", "global", "--timeout", "1"])
    run.finish()
    assert_no_traceback(run)
    assert run.outcomes()["concurrent-loops"][0] == "HANG"
    run.assert_saw(endpoint=1, forkserver=1, cell=1)
    run.assert_nothing_left()


def user_args(scenario_dir: Path, *scenarios: str, timeout: float) -> list[str]:
    selection = [arg for name in scenarios for arg in ("-s", name)]
    return ["--scenarios", str(scenario_dir), *selection, "--strategy", "per-call",
            "--timeout", str(timeout)]


@pytest.mark.timeout(60)
def test_ctrl_c_while_cells_run_exits_130_and_leaves_nothing(
    scenario_dir: Path, start_cli: Starter
) -> None:
    run = start_cli(user_args(scenario_dir, "blocks", "spawns", timeout=60))
    run.wait_until_cells_run(count=2)
    run.sample()
    run.process.send_signal(signal.SIGINT)
    assert run.finish(limit=5) == 130
    assert_no_traceback(run)
    run.assert_saw(endpoint=1, forkserver=1, cell=2, other=1)
    run.assert_nothing_left()


@pytest.mark.timeout(60)
def test_terminal_ctrl_c_while_the_forkserver_preloads(
    scenario_dir: Path, start_cli: Starter
) -> None:
    """A terminal's Ctrl-C reaches the whole process group, forkserver included, while it is
    still importing what every cell needs: still exit 130, no traceback, nothing left."""
    run = start_cli(user_args(scenario_dir, "blocks", timeout=60))
    run.wait_for(lambda: "forkserver" in run.roles.values(), "forkserver")
    os.killpg(run.process.pid, signal.SIGINT)
    assert run.finish(limit=5) == 130
    assert_no_traceback(run)
    run.assert_nothing_left()


@pytest.mark.timeout(10)
def test_a_ctrl_c_while_the_forkserver_is_spawned_is_held_then_raised() -> None:
    """The processes spawned then must not get it (they ignore SIGINT), but the CLI must: a
    Ctrl-C in that window was lost, and the run went on to its end."""
    reached_the_end = False
    # as at a terminal: a shell's background job (CI's, perhaps) starts with Ctrl-C ignored
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt), forkserver._ctrl_c_spared():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
            reached_the_end = True
    finally:
        signal.signal(signal.SIGINT, inherited)
    assert reached_the_end


@pytest.mark.timeout(60)
def test_killed_cli_leaves_nothing(scenario_dir: Path, start_cli: Starter) -> None:
    """SIGKILL: no cleanup code runs, yet the harness's processes go (what a cell started
    itself survives this one; SIGTERM and Ctrl-C take it too)."""
    run = start_cli(user_args(scenario_dir, "blocks", timeout=60))
    run.wait_until_cells_run()
    run.sample()
    run.process.kill()
    run.finish(limit=5)
    run.assert_saw(endpoint=1, forkserver=1, cell=1)
    run.assert_nothing_left()


@pytest.mark.timeout(60)
def test_a_factory_that_fails_to_import_stops_the_booting_harness(start_cli: Starter) -> None:
    """The factory is imported while the forkserver and the endpoint boot: exit 2, and they go."""
    broken = "import time\ntime.sleep(1)\nraise ImportError('broken on purpose')\n"
    run = start_cli(["--factory", "slowbroken:get_client"], files={"slowbroken.py": broken})
    run.wait_for(lambda: {"forkserver", "endpoint"} <= set(run.roles.values()), "harness")
    assert run.finish() == 2
    assert "cannot import 'slowbroken': ImportError: broken on purpose" in run.stderr()
    run.assert_nothing_left()


@pytest.mark.timeout(60)
def test_the_gate_keeps_the_forkserver_started_before_parsing(start_cli: Starter) -> None:
    """It starts while the CLI imports and parses; a second one would mean a wrong guess."""
    fresh = "import openai\n\ndef get_client(base_url, api_key):\n" \
            "    return openai.AsyncOpenAI(base_url=base_url, api_key=api_key)\n"
    run = start_cli(["--factory", "fresh:get_client", "-s", "cli-sequential"],
                    files={"fresh.py": fresh})
    assert run.finish() == 0, run.stderr()
    assert Counter(run.roles.values())["forkserver"] == 1, run.roles
    run.assert_nothing_left()


@pytest.mark.timeout(60)
def test_a_usage_error_stops_the_forkserver_started_before_parsing(start_cli: Starter) -> None:
    """The forkserver starts before the command line is checked: a usage error found then
    (here, while it still imports the factory) exits 2 and takes it along."""
    slow = "import time\ntime.sleep(3)\n\ndef get_client(base_url, api_key):\n    pass\n"
    run = start_cli(["--factory", "slow:get_client", "--allow", "hang"], files={"slow.py": slow})
    assert run.finish() == 2
    assert "--allow takes leak and/or masked" in run.stderr()
    run.assert_saw(forkserver=1)
    run.assert_nothing_left()


@pytest.mark.timeout(60)
def test_cells_that_ignore_sigterm_or_start_processes_leave_nothing(
    scenario_dir: Path, start_cli: Starter
) -> None:
    run = start_cli(user_args(scenario_dir, "blocks", "spawns", timeout=1))
    run.wait_until_cells_run(count=2)
    run.sample()
    run.finish()
    assert_no_traceback(run)
    assert {name: outcome for name, (outcome, _) in run.outcomes().items()} == {
        "blocks": "HANG", "spawns": "HANG"}
    run.assert_saw(endpoint=1, forkserver=1, cell=2, other=1)
    run.assert_nothing_left()


@pytest.mark.timeout(60)
def test_crashing_cells_are_errors_that_say_how_they_died(
    scenario_dir: Path, start_cli: Starter
) -> None:
    run = start_cli(user_args(scenario_dir, "exits", "aborts", "segfaults", timeout=1))
    assert run.finish() == 1  # per-call is expected to pass: an ERROR is UNEXPECTED
    assert_no_traceback(run)
    outcomes = run.outcomes()
    assert {name: outcome for name, (outcome, _) in outcomes.items()} == {
        "exits": "ERROR", "aborts": "ERROR", "segfaults": "ERROR"}
    assert "exited with code 3" in outcomes["exits"][1]
    assert "SIGABRT" in outcomes["aborts"][1]
    assert "SIGSEGV" in outcomes["segfaults"][1]
    run.assert_nothing_left()


@pytest.mark.timeout(60)
def test_sigterm_to_the_cli_leaves_nothing_not_even_what_cells_started(
    scenario_dir: Path, start_cli: Starter
) -> None:
    """SIGTERM (``timeout``, a CI runner stopping a job): a clean shutdown, like Ctrl-C."""
    run = start_cli(user_args(scenario_dir, "blocks", "spawns", timeout=60))
    run.wait_until_cells_run(count=2)
    run.sample()
    run.process.terminate()
    assert run.finish(limit=5) == 128 + signal.SIGTERM
    assert_no_traceback(run)
    run.assert_saw(endpoint=1, forkserver=1, cell=2, other=1)
    run.assert_nothing_left()
