"""Is the guard invisible on real test suites? Each project's own tests, run three ways.

    python benchmarks/bench_guard_suites.py [--projects httpx,aiohttp] [--repeat 3] [--json FILE]

For every project in ``PROJECTS`` (pinned releases whose sdist ships the test suite):

1. the sdist is downloaded from the package index with pip into ``--cache`` (default
   ``~/.cache/loopdoctor-suites``), checked against the pinned sha256 and extracted;
2. a venv is built for it, cached and keyed by the pin: the project installed from that sdist,
   its test dependencies (pinned in the table, read from the project's own requirements) and
   this checkout of loopdoctor, editable, so the guard under test is the working tree's;
3. a subset of its suite runs three ways, each with ``--junitxml`` and under a hard wall-clock
   bound (on timeout the process group is killed and the run reported as a hang; any process
   the run left behind is killed too): (a) plain ``pytest``, (b) ``pytest --loopdoctor-guard``,
   (c) ``loopdoctor exec -- pytest``. ``--repeat N`` runs the three N times, each mode first in
   turn, so that a shared machine's changing load falls on every mode alike. Where outcomes
   differ, plain mode runs once more, to tell a flaky test from an effect of the guard;
4. per project it prints the tests run, every outcome that differs between (a) and (b)/(c),
   grouped by cause, the wall and CPU time of each run and their ratios to the plain run of the
   same round (with several rounds, the median ratio and its range: on a shared machine the CPU
   time is the steadier figure), every CrossLoopError (from the junit failure texts, the
   guard's events and ``exec``'s summary), any hang, and how many loop-bound objects the guard
   tracked (a small pytest plugin, guard mode only, counts them in every process).

A project may bring a pytest plugin of its own, loaded in every mode: ``openai-per-test-loops``
is openai's subset with one event loop per test, the way many suites run, where its
session-scoped client fixture meets every test's own loop (real cross-loop uses, for the guard
to name).

The runs see no network but loopback: each pytest runs in a network namespace of its own
(``unshare --net``) when the machine allows it; tests that need the internet are deselected in
the table, and one that tries anyway fails the same way in every mode.

Exit code: 0 when every selected project was measured, 1 with ``--fail-on-diff`` when the guard
changed an outcome or a run hung, 2 when a download or a venv build failed.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import json
import os
import pstats
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pinned import sha256_of

CHECKOUT = Path(__file__).resolve().parents[1]
DEFAULT_CACHE = Path.home() / ".cache" / "loopdoctor-suites"
MODES = ("plain", "guard", "exec")
RUN_MARKER = "LOOPDOCTOR_SUITES_RUN"  # in the environment of every process a run starts
EVENTS_ENV = "LOOPDOCTOR_GUARD_EVENTS"  # loopdoctor.guard appends each foreign use there
SHOWN = 5  # differing tests listed per cause without --verbose


@dataclass(frozen=True)
class Project:
    """One pinned test suite: where it comes from, what it needs, which part of it runs."""

    name: str
    dist: str  # the distribution's name on the package index
    version: str
    sha256: str  # of the sdist
    pytest_args: tuple[str, ...]  # run in the extracted sdist
    requirements: tuple[str, ...] = ()  # the test dependencies, pinned
    requirement_files: tuple[str, ...] = ()  # the project's own, inside the sdist
    extras: str = ""
    timeout: float = 300.0  # wall-clock bound of one mode, in seconds
    build_env: Mapping[str, str] = field(default_factory=dict)
    plugin: str = ""  # a pytest plugin's source, loaded in every mode (-p)
    note: str = ""

    @property
    def pin(self) -> str:
        return f"{self.dist}=={self.version}"


PROJECTS: dict[str, Project] = {p.name: p for p in [
    Project(
        name="httpx", dist="httpx", version="0.28.1",
        sha256="75e98c5f16b0f35b567856f597f06ff2270a374470a5c2392242528e3e3e42fc",
        extras="brotli,http2,socks,zstd",
        # httpx 0.28.1's requirements.txt (not in the sdist): its test pins
        requirements=("pytest==8.3.4", "trio==0.27.0", "trustme==1.2.0", "uvicorn==0.32.1",
                      "cryptography==44.0.0", "chardet==5.2.0", "anyio==4.7.0"),
        pytest_args=("tests/client/test_async_client.py", "tests/client/test_auth.py",
                     "tests/client/test_event_hooks.py", "tests/client/test_redirects.py",
                     "tests/test_timeouts.py", "tests/test_asgi.py", "-m", "not network",
                     # fails or passes by the machine's timing, with or without the guard
                     "--deselect", "tests/test_timeouts.py::test_write_timeout"),
        timeout=120,
        note="the files with AsyncClient tests, asyncio and trio (anyio's plugin), against "
             "uvicorn on loopback; the cheapest project, for CI",
    ),
    Project(
        name="aiohttp", dist="aiohttp", version="3.14.5",
        sha256="5558a7f5a05af9ecf744af91e5baefc436f93c9333e656c27ec253f9a6bbe178",
        # requirements/test.txt's pins for what these tests and conftest.py import (the whole
        # file also pins pydantic, mypy, ... and sends pip backtracking through openai releases)
        requirements=("pytest==9.0.3", "pytest-mock==3.15.1", "pytest-timeout==2.4.0",
                      "pytest-xdist==3.8.0", "pytest-cov==7.1.0", "coverage==7.14.1",
                      "blockbuster==1.5.26", "forbiddenfruit==0.1.4", "trustme==1.2.1",
                      "cryptography==48.0.0", "uvloop==0.22.1", "isal==1.8.0",
                      "zlib-ng==1.0.0", "freezegun==1.5.5", "proxy.py==2.4.10"),
        pytest_args=("tests/test_client_session.py", "tests/test_client_functional.py",
                     "tests/test_client_ws_functional.py", "--no-cov"),
        timeout=300,
        note="ClientSession against aiohttp's test server on loopback; its ini runs pytest-xdist "
             "(-n auto) and skips the dev_mode/autobahn/internal markers",
    ),
    Project(
        name="openai", dist="openai", version="3.57.0",
        sha256="5a0a89d6a542efc85e2a8cec701ca9265b795d578c777828e10fafdf80e333b6",
        extras="aiohttp",
        # the dev group, at uv.lock's versions
        requirements=("pytest==9.2.0", "pytest-asyncio==1.4.1.post1", "pytest-xdist==3.8.0",
                      "inline-snapshot==0.36.1", "trio==0.35.0", "rich==15.0.0",
                      "websockets==15.0.1", "dirty-equals", "time-machine"),
        pytest_args=("tests/test_client.py", "tests/test_streaming.py", "tests/test_response.py",
                     "tests/test_module_client.py", "tests/test_httpx2.py"),
        timeout=300,
        note="AsyncOpenAI on httpx2 and aiohttp with respx2 mocks; its ini runs pytest-xdist and "
             "one session-scoped event loop; tests/api_resources need the Steady mock server",
    ),
    Project(
        name="anthropic", dist="anthropic", version="2.14.0",
        sha256="afb02f4df8efba429ff769bbfd71340d8b244b41ba42c073a45cc307702549fe",
        extras="aiohttp",
        requirements=("pytest==9.0.3", "pytest-asyncio==1.3.0", "pytest-xdist==3.8.0",
                      "respx==0.22.0", "dirty-equals==0.11", "time-machine==3.2.0",
                      "inline-snapshot==0.32.5", "hypothesis==6.167.1",
                      "http-snapshot[httpx]==0.1.9", "opentelemetry-sdk==1.44.0",
                      "rich==14.3.3", "importlib-metadata==8.7.1", "packaging"),
        pytest_args=("tests/test_client.py", "tests/test_streaming.py", "tests/test_response.py",
                     "tests/test_middleware.py"),
        timeout=300,
        note="AsyncAnthropic on httpx2 (aliased as httpx for respx) and aiohttp; pytest-xdist "
             "worksteal; tests/api_resources need a mock server",
    ),
    Project(
        name="openai-agents", dist="openai-agents", version="0.24.0",
        sha256="4b4b285f4fed81fdf1b4ac426a9101658d9cd29b4fb1aaeee18f639b77e704e3",
        # pydantic-ai(-slim)'s sdists ship no tests; the OpenAI Agents SDK's does
        requirements=("openai==3.29.0", "pytest==9.0.3", "pytest-asyncio==1.4.0",
                      "pytest-mock==3.14.1", "inline-snapshot==0.27.2",
                      "fastapi==0.141.1", "websockets==15.0.1", "aiohttp==3.14.3"),
        pytest_args=("tests/models/test_openai_chatcompletions.py",
                     "tests/models/test_openai_chatcompletions_stream.py",
                     "tests/models/test_chatcompletions_stream_eof.py",
                     "tests/models/test_openai_responses.py", "tests/models/test_model_retry.py",
                     "tests/test_agent_runner.py", "tests/test_agent_runner_streamed.py",
                     "tests/test_agent_runner_sync.py",
                     "tests/test_runner_model_provider_lifecycle.py", "tests/test_config.py"),
        timeout=300,
        note="an agent framework on AsyncOpenAI: models, runners (Runner.run_sync: asyncio.run)",
    ),
]}


PER_TEST_LOOPS = '''\
"""bench_guard_suites: each async test on an event loop of its own (fixtures keep theirs)."""
import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("asyncio") is not None:
            item.add_marker(pytest.mark.asyncio(loop_scope="function"), append=False)
'''

PROJECTS["openai-per-test-loops"] = dataclasses.replace(
    PROJECTS["openai"], name="openai-per-test-loops", plugin=PER_TEST_LOOPS,
    note="openai's subset with one event loop per test, as many suites run (a plugin marks "
         "each async test loop_scope=function); its fixtures keep the session loop, so the "
         "session-scoped async_client is used from every test's own loop",
)


# -- results ---------------------------------------------------------------------------------

@dataclass
class Outcome:
    """One test id's outcome in one run, with the first line of why it did not pass."""

    outcome: str  # passed, failed, error, skipped, xfailed, absent
    message: str = ""
    cause: str = ""  # the innermost loopdoctor frame of the failure, if any
    cross_loop: list[str] = field(default_factory=list)  # CrossLoopError headlines


@dataclass
class ModeRun:
    mode: str
    command: list[str]
    returncode: int | None
    wall: float
    hung: bool
    outcomes: dict[str, Outcome]
    log: str  # the path of its stdout+stderr
    cpu: float = 0.0  # user+system seconds of the run's processes (those reaped by their parent)
    leftovers: int = 0  # processes the run left behind (killed)
    exec_summary: list[str] = field(default_factory=list)
    guard_events: list[dict[str, object]] = field(default_factory=list)
    guard_summary_shown: bool = False
    tracked: dict[str, int] = field(default_factory=dict)  # objects the guard saw made, by kind
    profile: dict[str, float] = field(default_factory=dict)  # profile mode: see guard_share

    def counts(self) -> Counter[str]:
        return Counter(o.outcome for o in self.outcomes.values())


@dataclass
class Difference:
    test: str
    mode: str
    plain: str
    guarded: str
    message: str
    cause: str  # the innermost loopdoctor frame of the guarded failure, if any
    cross_loop: list[str] = field(default_factory=list)
    plain_again: str = ""  # the outcome in the second plain run, when there was one

    @property
    def guard_involved(self) -> bool:
        return bool(self.cause or self.cross_loop)


@dataclass
class ProjectResult:
    project: str
    version: str
    subset: list[str]
    network: str
    runs: dict[str, ModeRun] = field(default_factory=dict)  # the first round's
    profiled: ModeRun | None = None  # guard mode once more, in one process, under cProfile
    rounds: list[dict[str, ModeRun]] = field(default_factory=list)  # every round, runs first
    plain_again: ModeRun | None = None
    differences: list[Difference] = field(default_factory=list)
    flaky: list[Difference] = field(default_factory=list)
    error: str = ""
    load: list[float] = field(default_factory=list)  # 1-minute load average before, after


class SetupError(Exception):
    """A download, a check or a venv build failed: said in one message, no traceback."""


# -- download, check, extract ----------------------------------------------------------------

def fetch_sdist(project: Project, cache: Path) -> Path:
    """The project's sdist in the cache, downloaded with pip if absent; its sha256 checked."""
    folder = cache / "sdists"
    folder.mkdir(parents=True, exist_ok=True)
    found = _sdist_in(folder, project)
    if found is None:
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            _pip_download(project, Path(tmp), cache)
            downloaded = _sdist_in(Path(tmp), project)
            if downloaded is None:
                raise SetupError(f"pip downloaded no sdist of {project.pin}")
            found = folder / downloaded.name
            downloaded.replace(found)
    actual = sha256_of(found)
    if actual != project.sha256:
        found.unlink()
        raise SetupError(f"{found.name}: sha256 {actual}, but the table pins {project.sha256}"
                         " (file removed)")
    return found


def _sdist_in(folder: Path, project: Project) -> Path | None:
    stem = re.sub(r"[-_.]+", "[-_.]", re.escape(project.dist).replace("\\", ""))
    pattern = re.compile(rf"{stem}-{re.escape(project.version)}\.(tar\.gz|zip)", re.I)
    return next((p for p in folder.iterdir() if pattern.fullmatch(p.name)), None)


def _pip_download(project: Project, dest: Path, cache: Path) -> None:
    command = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check",
               "--no-deps", "--no-binary", ":all:", "--dest", str(dest), project.pin]
    log = cache / "logs" / f"{project.name}-download.log"
    _run_logged(command, log, f"downloading the sdist of {project.pin}")


def extract(sdist: Path, cache: Path) -> Path:
    """The sdist unpacked once into ``cache/src``; its top folder."""
    dest = cache / "src" / sdist.name.removesuffix(".tar.gz").removesuffix(".zip")
    if (dest / ".complete").exists():
        return _top_folder(dest)
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    try:
        with tarfile.open(sdist) as archive:
            if hasattr(tarfile, "data_filter"):
                archive.extractall(dest, filter="data")
            else:  # a Python from before extraction filters (3.10.11 and older)
                archive.extractall(dest)
    except (tarfile.TarError, OSError) as error:
        raise SetupError(f"cannot extract {sdist.name}: {error}") from None
    (dest / ".complete").touch()
    return _top_folder(dest)


def _top_folder(dest: Path) -> Path:
    folders = [p for p in dest.iterdir() if p.is_dir()]
    return folders[0] if len(folders) == 1 else dest


# -- the venv --------------------------------------------------------------------------------

def venv_key(project: Project, python: str) -> str:
    """Changes whenever what goes into the venv does: the pin, the deps, Python, loopdoctor's."""
    version = subprocess.run([python, "-c", "import sys; print(sys.version)"],
                             capture_output=True, text=True, check=False).stdout
    parts = [project.pin, project.sha256, project.extras, *project.requirements,
             *project.requirement_files, *sorted(project.build_env.items()), version,
             str(CHECKOUT), (CHECKOUT / "pyproject.toml").read_text()]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:12]


def build_venv(project: Project, sdist: Path, source: Path, cache: Path, python: str) -> Path:
    """A venv with the project (from its sdist), its test deps and loopdoctor; cached."""
    venv = cache / "venvs" / f"{project.dist}-{project.version}-{venv_key(project, python)}"
    if (venv / ".complete").exists():
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    log = cache / "logs" / f"{project.name}-venv.log"
    what = f"building the venv of {project.pin}"
    _run_logged([python, "-m", "venv", str(venv)], log, what)
    target = f"{project.dist}[{project.extras}] @ {sdist.as_uri()}" if project.extras else str(
        sdist)
    files = [arg for name in project.requirement_files for arg in ("-r", str(source / name))]
    install = [str(venv / "bin" / "python"), "-m", "pip", "install",
               "--disable-pip-version-check", target, *project.requirements, *files,
               "-e", str(CHECKOUT)]
    _run_logged(install, log, what, env={**os.environ, **project.build_env}, append=True)
    (venv / ".complete").write_text(" ".join(install) + "\n")
    remove_stale_venvs(venv, project)
    return venv


def remove_stale_venvs(current: Path, project: Project) -> None:
    """Other venvs of this project (older pins, broken builds): the cache stays bounded."""
    stale = re.compile(rf"{re.escape(project.dist)}-[^-]+-[0-9a-f]{{12}}")
    for venv in current.parent.iterdir():
        if venv != current and stale.fullmatch(venv.name):
            shutil.rmtree(venv, ignore_errors=True)


def _run_logged(command: list[str], log: Path, what: str,
                env: Mapping[str, str] | None = None, append: bool = False) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a" if append else "w") as out:
        out.write(f"$ {' '.join(command)}\n")
        out.flush()
        try:
            done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                  stdin=subprocess.DEVNULL, check=False)
        except OSError as error:
            raise SetupError(f"{what}: {error}") from None
    if done.returncode != 0:
        tail = "\n".join("    " + line for line in log.read_text().splitlines()[-15:])
        raise SetupError(f"{what} failed (exit {done.returncode}); the end of {log}:\n{tail}")


# -- network isolation -----------------------------------------------------------------------

ISOLATE = ["unshare", "--net", "--", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]


def isolation_prefix() -> tuple[list[str], str]:
    """A command prefix that leaves the run only loopback, and how it is isolated."""
    if shutil.which("unshare") and shutil.which("ip"):
        probe = subprocess.run([*ISOLATE, sys.executable, "-c", "pass"], capture_output=True,
                               check=False)
        if probe.returncode == 0:
            return ISOLATE, "loopback only (own network namespace)"
    return [], "not isolated (unshare --net unavailable): the machine's own network"


# -- one run ---------------------------------------------------------------------------------

PROBE_ENV = "LOOPDOCTOR_SUITES_PROBE"
PROBE = f'''\
"""bench_guard_suites: what the guard tracked in this pytest process (guard mode only)."""
import json, os


def pytest_sessionfinish(session):  # an xdist worker's, before it reports back
    from loopdoctor.guard import binding, runtime
    line = json.dumps({{"pid": os.getpid(), "created": dict(binding.created)}})
    runtime.append_line(os.environ["{PROBE_ENV}"], line)
'''


PLUGIN = "loopdoctor_suites_plugin"  # the project's own plugin module, when it has one


def write_plugins(folder: Path, project: Project) -> Path:
    """The probe (counts the objects the guard tracked, per process) and the project's plugin,
    as modules in ``folder``, for PYTHONPATH."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "loopdoctor_suites_probe.py").write_text(PROBE)
    (folder / f"{PLUGIN}.py").write_text(project.plugin)
    return folder


def mode_command(mode: str, venv: Path, project: Project, junit: Path) -> list[str]:
    pytest = [str(venv / "bin" / "pytest"), *project.pytest_args, f"--junitxml={junit}",
              "-p", "no:cacheprovider", *(["-p", PLUGIN] if project.plugin else [])]
    if mode == "guard":
        return [*pytest, "--loopdoctor-guard", "-p", "loopdoctor_suites_probe"]
    if mode == "exec":
        return [str(venv / "bin" / "loopdoctor"), "exec", "--", *pytest]
    if mode == "profile":  # guard mode in one process (no xdist workers), under cProfile
        profiler = ["-m", "cProfile", "-o", str(junit.with_suffix(".prof")), "-m", "pytest"]
        serial = ["-n", "0"] if any(r.startswith("pytest-xdist") for r in project.requirements) \
            else []
        return [str(venv / "bin" / "python"), *profiler, *pytest[1:], "--loopdoctor-guard",
                *serial]
    return pytest


def run_mode(mode: str, project: Project, venv: Path, source: Path, out: Path,
             prefix: list[str], label: str | None = None) -> ModeRun:
    """One pytest run of the subset, bounded by ``project.timeout``; nothing left running."""
    label = label or mode
    junit, log, events, probe = (out / f"{label}.{ext}" for ext in ("xml", "log", "events",
                                                                     "probe"))
    for stale in (junit, events, probe):
        stale.unlink(missing_ok=True)
    command = mode_command(mode, venv, project, junit)
    marker = uuid.uuid4().hex
    env = run_env(venv, marker)
    env["PYTHONPATH"] = str(write_plugins(out / "plugins", project))
    if mode == "guard":
        env[EVENTS_ENV] = str(events)
        env[PROBE_ENV] = str(probe)
    started, cpu_before = time.monotonic(), children_cpu()
    with log.open("w") as output:
        process = subprocess.Popen([*prefix, *command], cwd=source, env=env,
                                   stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        hung = False
        try:
            process.wait(timeout=project.timeout)
        except subprocess.TimeoutExpired:
            hung = True
            stop_group(process)
        except BaseException:  # Ctrl-C: nothing may outlive the benchmark
            stop_group(process)
            kill_marked(marker)
            raise
    wall, cpu = time.monotonic() - started, children_cpu() - cpu_before
    leftovers = kill_marked(marker)
    text = log.read_text(errors="replace")
    return ModeRun(
        mode=mode, command=command, returncode=process.returncode, wall=wall, cpu=cpu,
        hung=hung,
        outcomes=parse_junit(junit), log=str(log), leftovers=leftovers,
        exec_summary=exec_summary(text) if mode == "exec" else [],
        guard_events=read_events(events),
        tracked=tracked(read_events(probe)),
        guard_summary_shown="loopdoctor guard" in text and mode == "guard",
        profile=guard_share(junit.with_suffix(".prof")) if mode == "profile" else {},
    )


def guard_share(path: Path) -> dict[str, float]:
    """From a cProfile file: the run's own time, and the part of it spent in loopdoctor's code
    (its wrappers' own work; what the wrapped methods do is counted where it belongs)."""
    if not path.exists():
        return {}
    stats = pstats.Stats(str(path)).stats
    own = str(CHECKOUT / "loopdoctor") + os.sep
    guard = [row for (file, *_), row in stats.items() if file.startswith(own)]
    return {"total": sum(row[2] for row in stats.values()),
            "guard": sum(row[2] for row in guard), "calls": sum(row[1] for row in guard)}


def run_env(venv: Path, marker: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", EVENTS_ENV, "LOOPDOCTOR_GUARD")}
    env.update(VIRTUAL_ENV=str(venv), PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
               PY_COLORS="0", NO_COLOR="1")
    env[RUN_MARKER] = marker
    return env


def children_cpu() -> float:
    """User+system CPU seconds of every reaped descendant so far: unlike the wall time, what a
    busy shared machine does not inflate much."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def stop_group(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGTERM the run's process group, SIGKILL it after ``grace`` seconds, reap the leader."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, grace)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue


def kill_marked(marker: str) -> int:
    """Kill every process whose environment carries this run's marker: those that left the
    group (setsid, daemons) or outlived its leader. Returns how many there were."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(RUN_MARKER) == marker:
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    for proc in found:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(found, timeout=5)
    return len(found)


# -- reading a run ---------------------------------------------------------------------------

CROSS_LOOP = re.compile(r"CrossLoopError: (.*)")
LOOPDOCTOR_FRAME = re.compile(r"loopdoctor/(\w+\.py):(\d+)(?:: in (\w+)| in (\w+))?")
ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
LOOP_NUMBER = re.compile(r"(?<=loop|.run)#\d+")  # loop#3, trio run#2: one per test, say


def parse_junit(path: Path) -> dict[str, Outcome]:
    """Outcome per test id (``classname::name``); empty when the run wrote no report."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return {}
    outcomes: dict[str, Outcome] = {}
    for case in root.iter("testcase"):
        classname, name = case.get("classname", ""), case.get("name", "")
        test = f"{classname}::{name}" if classname else name
        while test in outcomes:  # the same id twice (a parametrization pytest cannot tell)
            test += "+"
        outcomes[test] = outcome_of(case)
    return outcomes


def outcome_of(case: ET.Element) -> Outcome:
    failure, error, skipped = case.find("failure"), case.find("error"), case.find("skipped")
    if failure is not None or error is not None:
        bad = failure if failure is not None else error
        kind = "failed" if failure is not None else "error"
        message = first_line(bad.get("message", "") or bad.text or "")
        reports = [e for e in (failure, error) if e is not None]
        body = "\n".join(e.text or "" for e in reports)
        errors = cross_loop_errors(body) or cross_loop_errors(
            "\n".join(e.get("message", "") for e in reports))  # a message is cut short
        return Outcome(kind, message, loopdoctor_frame(body), errors)
    if skipped is not None:
        kind = "xfailed" if skipped.get("type") == "pytest.xfail" else "skipped"
        return Outcome(kind, first_line(skipped.get("message", "")))
    return Outcome("passed")


def first_line(text: str) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return ADDRESS.sub("0x…", line)[:200]


def loopdoctor_frame(text: str) -> str:
    """The innermost frame of loopdoctor's own code in a failure's traceback, if any."""
    frames = LOOPDOCTOR_FRAME.findall(text)
    if not frames:
        return ""
    file, line, fn_long, fn_short = frames[-1]
    fn = fn_long or fn_short
    return f"{file}:{line}" + (f" in {fn}" if fn else "")


def cross_loop_errors(text: str) -> list[str]:
    """Each CrossLoopError in a failure text: its headline, where it was made and used."""
    found: list[str] = []
    lines = [re.sub(r"^E\s+", "", line).strip() for line in text.splitlines()]
    for n, line in enumerate(lines):
        match = CROSS_LOOP.search(line)
        if not match or not match.group(1):
            continue
        details = [f"{d.split(':', 1)[0].strip()}: {d.split(':', 1)[1].strip()}"
                   for d in lines[n + 1:n + 10]
                   if d.startswith(("owned by:", "used from:", "used at:", "created at:",
                                    "first seen:"))]
        entry = "; ".join([match.group(1), *details])
        if entry not in found:
            found.append(entry)
    return found


def exec_summary(text: str) -> list[str]:
    """``loopdoctor exec``'s closing summary: its head line and one line per foreign use."""
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if line.startswith("loopdoctor exec: guard on in"):
            rest = [ln.strip() for ln in lines[n + 1:] if ln.startswith("  ")]
            return [line, *rest]
    return []


def read_events(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    events = []
    for line in path.read_text().splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return events


def tracked(lines: list[dict[str, object]]) -> dict[str, int]:
    """The probe's counts summed over the run's pytest processes (xdist workers included)."""
    total: Counter[str] = Counter()
    for line in lines:
        created = line.get("created")
        if isinstance(created, dict):
            total.update({str(k): int(v) for k, v in created.items()})
    return dict(total.most_common())


# -- comparing -------------------------------------------------------------------------------

def differences(plain: ModeRun, other: ModeRun) -> list[Difference]:
    absent = Outcome("absent")
    found = []
    for test in sorted(plain.outcomes.keys() | other.outcomes.keys()):
        before, after = plain.outcomes.get(test, absent), other.outcomes.get(test, absent)
        if before.outcome != after.outcome:
            why = after if after.outcome not in ("passed", "absent") else before
            found.append(Difference(test, other.mode, before.outcome, after.outcome,
                                    why.message, why.cause, list(after.cross_loop)))
    return found


def split_flaky(found: list[Difference], plain_runs: Sequence[ModeRun],
                again: ModeRun | None = None) -> tuple[list[Difference], list[Difference]]:
    """The guard's effects, and the flaky tests: those a plain run (any round, or the extra
    one, ``again``) gave the guarded outcome, with no loopdoctor frame or CrossLoopError in
    the guarded failure."""
    runs = [*plain_runs, *([again] if again else [])]
    real, flaky = [], []
    for diff in found:
        if again is not None:
            diff.plain_again = again.outcomes.get(diff.test, Outcome("absent")).outcome
        seen = {run.outcomes.get(diff.test, Outcome("absent")).outcome for run in runs}
        explained = diff.guarded in seen and not diff.guard_involved
        (flaky if explained else real).append(diff)
    return real, flaky


def all_differences(rounds: Sequence[Mapping[str, ModeRun]]) -> list[Difference]:
    """Each round's guarded runs against its plain run; a test that differs the same way in
    several rounds is listed once."""
    found: dict[tuple[str, str, str], Difference] = {}
    for runs in rounds:
        for mode in MODES[1:]:
            for diff in differences(runs["plain"], runs[mode]):
                found.setdefault((diff.test, diff.mode, diff.guarded), diff)
    return list(found.values())


@dataclass(frozen=True)
class Overhead:
    """One mode's time against plain's, over the rounds: the median of the rounds' ratios (a
    round's modes ran back to back, so they shared the machine's load) and their range."""

    mode: str
    wall: float
    wall_range: tuple[float, float]
    cpu: float
    cpu_range: tuple[float, float]


def overheads(rounds: Sequence[Mapping[str, ModeRun]]) -> list[Overhead]:
    found = []
    for mode in MODES[1:]:
        walls = [r[mode].wall / r["plain"].wall for r in rounds if r["plain"].wall]
        cpus = [r[mode].cpu / r["plain"].cpu for r in rounds if r["plain"].cpu]
        if walls and cpus:
            found.append(Overhead(mode, statistics.median(walls), (min(walls), max(walls)),
                                  statistics.median(cpus), (min(cpus), max(cpus))))
    return found


def rotated(round_: int) -> tuple[str, ...]:
    """The modes in the order round ``round_`` runs them: each mode goes first in turn."""
    shift = round_ % len(MODES)
    return MODES[shift:] + MODES[:shift]


def by_cause(found: Iterable[Difference]) -> dict[tuple[str, str, str], list[Difference]]:
    groups: dict[tuple[str, str, str], list[Difference]] = defaultdict(list)
    for diff in found:
        groups[(diff.mode, diff.message, diff.cause)].append(diff)
    return dict(sorted(groups.items(), key=lambda item: (item[0][0], -len(item[1]))))


# -- one project -----------------------------------------------------------------------------

def set_up(project: Project, cache: Path, python: str) -> tuple[Path, Path]:
    """The project's extracted source and its venv, each made once and cached."""
    echo(f"[{project.name}] sdist {project.pin}")
    sdist = fetch_sdist(project, cache)
    source = extract(sdist, cache)
    echo(f"[{project.name}] venv (cached after the first build)")
    return source, build_venv(project, sdist, source, cache, python)


def measure(project: Project, cache: Path, python: str, prefix: list[str], network: str,
            recheck: bool, repeat: int = 1, profile: bool = False) -> ProjectResult:
    result = ProjectResult(project.name, project.version, list(project.pytest_args), network)
    source, venv = set_up(project, cache, python)
    result.load.append(os.getloadavg()[0])
    out = cache / "runs" / project.name
    out.mkdir(parents=True, exist_ok=True)
    for round_ in range(repeat):
        runs: dict[str, ModeRun] = {}
        for mode in rotated(round_):
            where = f"[{project.name}] {mode}" + (f" (round {round_ + 1})" if repeat > 1 else "")
            echo(f"{where} …")
            label = mode if round_ == 0 else f"{mode}-{round_ + 1}"
            run = runs[mode] = run_mode(mode, project, venv, source, out, prefix, label)
            echo(f"{where}: {len(run.outcomes)} tests in {run.wall:.1f}s"
                 + (" (HUNG)" if run.hung else ""))
        result.rounds.append({mode: runs[mode] for mode in MODES})
    result.runs = result.rounds[0]
    if profile:
        echo(f"[{project.name}] guard mode in one process, under cProfile …")
        result.profiled = run_mode("profile", project, venv, source, out, prefix)
    found = all_differences(result.rounds)
    plain_runs = [runs["plain"] for runs in result.rounds]
    if found and recheck:
        echo(f"[{project.name}] plain again, to tell flaky tests from the guard's effects …")
        result.plain_again = run_mode("plain", project, venv, source, out, prefix, "plain-again")
    if found:
        found, result.flaky = split_flaky(found, plain_runs, result.plain_again)
    result.differences = found
    result.load.append(os.getloadavg()[0])
    return result


# -- the report ------------------------------------------------------------------------------

def render(result: ProjectResult, verbose: bool) -> str:
    lines = [f"== {result.project} {result.version}", f"   subset:  {' '.join(result.subset)}",
             f"   network: {result.network}"]
    if result.error:
        return "\n".join([*lines, f"   NOT MEASURED: {result.error}"])
    lines.append("   load average (1 min) before → after: "
                 + " → ".join(f"{load:.1f}" for load in result.load)
                 + f" on {os.cpu_count()} cores (wall times on a busy machine are noisy)")
    if len(result.rounds) > 1:
        lines.append(f"   {len(result.rounds)} rounds, each mode first in turn; ratios are to "
                     "the plain run of the same round")
    lines.append(f"   {'mode':<8}{'round':>6}{'tests':>6}{'passed':>8}{'failed':>8}{'error':>7}"
                 f"{'skipped':>9}{'wall':>9}{'ratio':>7}{'cpu':>9}{'ratio':>7}  exit")
    for number, runs in enumerate(result.rounds, 1):
        lines += [render_run(run, runs["plain"], number) for run in runs.values()]
    if result.plain_again:
        lines.append(render_run(result.plain_again, result.runs["plain"], 1, "plain#2"))
    if result.profiled is not None:
        lines.append(render_share(result.profiled))
    for o in overheads(result.rounds):
        lines.append(f"   {o.mode} against plain (median of the rounds, min–max): wall "
                     f"{o.wall:.3f}x ({o.wall_range[0]:.2f}–{o.wall_range[1]:.2f}), cpu "
                     f"{o.cpu:.3f}x ({o.cpu_range[0]:.2f}–{o.cpu_range[1]:.2f})")
    lines += render_differences("differing outcomes", result.differences, verbose)
    lines += render_differences("flaky (a plain run gave the same outcome)", result.flaky,
                                verbose)
    lines += render_cross_loop(result)
    return "\n".join(lines)


def render_run(run: ModeRun, plain: ModeRun, round_: int, name: str = "") -> str:
    counts = run.counts()
    ratio = run.wall / plain.wall if plain.wall else 0.0
    cpu_ratio = run.cpu / plain.cpu if plain.cpu else 0.0
    status = "HUNG (killed)" if run.hung else str(run.returncode)
    if run.leftovers:
        status += f", {run.leftovers} process(es) left running (killed)"
    return (f"   {name or run.mode:<8}{round_:>6}{len(run.outcomes):>6}{counts['passed']:>8}"
            f"{counts['failed']:>8}{counts['error']:>7}"
            f"{counts['skipped'] + counts['xfailed']:>9}{run.wall:>8.1f}s"
            f"{ratio:>6.2f}x{run.cpu:>8.1f}s{cpu_ratio:>6.2f}x  {status}")


def render_share(run: ModeRun) -> str:
    share = run.profile
    if not share.get("total"):
        return f"   guard's own code under cProfile: no profile (exit {run.returncode})"
    return (f"   guard's own code under cProfile (guard mode, one process, "
            f"{len(run.outcomes)} tests): {share['guard']:.2f}s of {share['total']:.1f}s "
            f"({100 * share['guard'] / share['total']:.2f} %), {share['calls']:.0f} calls")


def render_differences(title: str, found: list[Difference], verbose: bool) -> list[str]:
    if not found:
        return [f"   {title}: none"] if title.startswith("differing") else []
    lines = [f"   {title}: {len(found)}"]
    for (mode, message, cause), group in by_cause(found).items():
        where = f"  [{cause}]" if cause else ""
        lines.append(f"     {mode}: × {len(group)}  {message or '(no message)'}{where}")
        shown = group if verbose else group[:SHOWN]
        lines += [f"         {d.test}: {d.plain} → {d.guarded}{_flaky_note(d)}" for d in shown]
        if len(group) > len(shown):
            lines.append(f"         … {len(group) - len(shown)} more (--verbose lists them)")
    return lines


def _flaky_note(diff: Difference) -> str:
    if diff.plain_again and diff.plain_again != diff.plain:
        return f" (plain is flaky too: {diff.plain_again} in plain#2)"
    return ""


def render_cross_loop(result: ProjectResult) -> list[str]:
    lines = []
    for mode in MODES[1:]:
        run = result.runs[mode]
        raised = Counter(LOOP_NUMBER.sub("#n", e) for o in run.outcomes.values()
                         for e in o.cross_loop)
        lines.append(f"   CrossLoopError in {mode}'s failures: "
                     + ("none" if not raised else f"{sum(raised.values())}"))
        lines += [f"     {n}× {e}" for e, n in raised.most_common()]
    guard = result.runs["guard"]
    seen = ", ".join(f"{n} {kind}" for kind, n in guard.tracked.items()) or "nothing"
    lines.append(f"   tracked by the guard (objects made, all processes): {seen}")
    lines.append(f"   guard events recorded under --loopdoctor-guard: {len(guard.guard_events)}"
                 + ("" if not guard.guard_events else
                    f" (plugin summary {'shown' if guard.guard_summary_shown else 'MISSING'})"))
    summary = result.runs["exec"].exec_summary
    lines.append("   exec summary: " + (summary[0] if summary else "(none printed)"))
    lines += [f"     {line}" for line in summary[1:]]
    broke = sum(1 for d in result.differences if d.mode == "exec" and d.guard_involved)
    if broke and summary and summary[0].endswith("no cross-loop use"):
        lines.append(f"     MISLEADING: the guard itself changed {broke} outcome(s) in this run")
    return lines


def render_total(results: Sequence[ProjectResult]) -> str:
    """The CPU and wall time of the projects whose outcomes the guard left alone, summed per
    round, as ratios to plain (a failing test costs its report, whatever failed it)."""
    measured = [r for r in results if r.rounds and not r.differences]
    if not measured:
        return ""
    count = min(len(r.rounds) for r in measured)
    rounds = [{mode: _summed([r.rounds[n][mode] for r in measured]) for mode in MODES}
              for n in range(count)]
    plain_cpu = statistics.median(r["plain"].cpu for r in rounds)
    names = ", ".join(r.project for r in measured)
    lines = [f"== {names}: summed per round ({count} round(s)), plain cpu {plain_cpu:.1f}s "
             "(median)"]
    lines += [f"   {o.mode}: cpu {o.cpu:.3f}x ({o.cpu_range[0]:.2f}–{o.cpu_range[1]:.2f}), "
              f"wall {o.wall:.3f}x ({o.wall_range[0]:.2f}–{o.wall_range[1]:.2f})"
              for o in overheads(rounds)]
    shares = [r.profiled.profile for r in measured if r.profiled and r.profiled.profile]
    if shares:
        guard, total = sum(s["guard"] for s in shares), sum(s["total"] for s in shares)
        lines.append(f"   guard's own code under cProfile: {guard:.2f}s of {total:.1f}s "
                     f"({100 * guard / total:.2f} %)")
    return "\n".join(lines)


def _summed(runs: Sequence[ModeRun]) -> ModeRun:
    return ModeRun(mode=runs[0].mode, command=[], returncode=None, hung=False, outcomes={},
                   log="", wall=sum(r.wall for r in runs), cpu=sum(r.cpu for r in runs))


def to_json(results: list[ProjectResult]) -> dict[str, object]:
    return {"python": sys.version.split()[0], "checkout": str(CHECKOUT),
            "projects": [dataclasses.asdict(r) for r in results]}


# -- the command line ------------------------------------------------------------------------

def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", default=",".join(PROJECTS),
                        help=f"comma-separated, from: {', '.join(PROJECTS)} (default: all)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="sdists, sources, venvs, logs and junit files (default: %(default)s)")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter for the projects' venvs (default: this one)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the results as JSON")
    parser.add_argument("--keep-going", action="store_true",
                        help="go on with the next project when one cannot be set up")
    parser.add_argument("--setup-only", action="store_true",
                        help="download and build the venvs (into the cache), run nothing")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run the three modes N times, each mode first in turn, and "
                             "report the median of the rounds' time ratios (default: 1)")
    parser.add_argument("--profile", action="store_true",
                        help="also run guard mode once in one process under cProfile and "
                             "report the share of its time spent in loopdoctor's code")
    parser.add_argument("--no-recheck", action="store_true",
                        help="do not run plain mode again when outcomes differ")
    parser.add_argument("--fail-on-diff", action="store_true",
                        help="exit 1 when the guard changed an outcome or a run hung")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="list every differing test, not the first few per cause")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.projects.split(",") if n.strip()]
    unknown = [n for n in names if n not in PROJECTS]
    if unknown or not names:
        parser.error(f"unknown project(s) {', '.join(unknown) or '(none given)'}; "
                     f"known: {', '.join(PROJECTS)}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.selected = [PROJECTS[n] for n in names]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    prefix, network = isolation_prefix()
    results: list[ProjectResult] = []
    failed_setup = False
    for project in args.selected:
        try:
            if args.setup_only:
                set_up(project, args.cache, args.python)
                continue
            result = measure(project, args.cache, args.python, prefix, network,
                             not args.no_recheck, args.repeat, args.profile)
        except SetupError as error:
            failed_setup = True
            echo(f"bench_guard_suites: {project.name}: {error}")
            result = ProjectResult(project.name, project.version, list(project.pytest_args),
                                   network, error=str(error))
            results.append(result)
            if not args.keep_going:
                break
            continue
        results.append(result)
        print(render(result, args.verbose), flush=True)
    if len(results) > 1:
        print(render_total(results), flush=True)
    echo(f"bench_guard_suites: {len(results)} project(s) in {time.monotonic() - started:.0f}s")
    if args.json:
        args.json.write_text(json.dumps(to_json(results), indent=2) + "\n")
    if failed_setup:
        return 2
    changed = any(r.differences or any(run.hung for run in r.runs.values()) for r in results)
    return 1 if args.fail_on_diff and changed else 0


def echo(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
