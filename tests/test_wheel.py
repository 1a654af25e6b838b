"""The installed wheel, run from another directory, still finds the built-in scenarios.

Bounded, and offline: the wheel is built with the environment's own setuptools (a test
dependency), not one fetched into an isolated build environment. The wheel is installed with
``--target`` into a folder put on PYTHONPATH, ahead of the editable install of the checkout,
and every check runs from an unrelated directory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv*", "build", "dist", "*.egg-info",
                                    "__pycache__", ".pytest_cache", ".ruff_cache",
                                    ".loopdoctor_cache")
BUILTIN_SCENARIOS = (
    "cli-sequential", "gateway-bridge", "gateway-return", "gateway-executor",
    "gateway-to-thread", "threadpool", "concurrent-loops", "concurrent-held", "loop-churn",
    "gateway-bridge-stream", "threadpool-stream",
)
BUILD_LIMIT = 100  # seconds for pip to build, then to install, the wheel
RUN_LIMIT = 30  # seconds for one loopdoctor command


def pip(*args: str | Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet",
                    *map(str, args)], check=True, timeout=BUILD_LIMIT)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding nothing but the installed wheel."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"  # a build writes build/ and *.egg-info: not into the checkout
    shutil.copytree(REPO, source, ignore=NOT_SOURCE)
    pip("wheel", "--no-deps", "--no-build-isolation", "-w", root / "dist", source)
    [wheel] = (root / "dist").glob("loopdoctor-*.whl")
    pip("install", "--no-deps", "--target", root / "site", wheel)
    return root / "site"


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def python(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=RUN_LIMIT)


@pytest.mark.timeout(120)
def test_the_package_and_its_scenarios_load_from_the_wheel(site: Path, elsewhere: Path) -> None:
    shown = python(site, elsewhere, "-c", "import loopdoctor, loopdoctor.run.scenarios; "
                   "print(loopdoctor.__file__); print(loopdoctor.run.scenarios.__file__)")
    assert shown.returncode == 0, shown.stderr
    for path in shown.stdout.split():
        assert Path(path).is_relative_to(site), shown.stdout
    assert {p.name for p in (site / "loopdoctor" / "run" / "scenarios").glob("*.py")} >= {
        "cli_sequential.py", "gateway_bridge.py", "concurrent_loops.py"}
    assert not (site / "scenarios").exists(), "a generic top-level `scenarios` package"


@pytest.mark.timeout(120)
def test_the_wheel_lists_the_builtin_scenarios(site: Path, elsewhere: Path) -> None:
    listed = python(site, elsewhere, "-m", "loopdoctor", "list", "scenarios")
    assert listed.returncode == 0, listed.stderr
    missing = [name for name in BUILTIN_SCENARIOS if name not in listed.stdout]
    assert not missing, listed.stdout


@pytest.mark.timeout(120)
def test_the_wheel_runs_a_builtin_scenario(site: Path, elsewhere: Path) -> None:
    report = elsewhere / "report.json"
    ran = python(site, elsewhere, "-m", "loopdoctor", "run", "-s", "cli-sequential",
                 "--strategy", "per-call", "--timeout", "2", "--format", "json",
                 "--output", str(report))
    assert ran.returncode == 0, ran.stderr
    [cell] = json.loads(report.read_text())["cells"]
    assert (cell["scenario"], cell["outcome"]) == ("cli-sequential", "PASS"), cell
