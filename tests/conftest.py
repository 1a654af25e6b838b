"""Fixtures shared by the tests: the fake endpoint, the guard, and the CLI as users run it."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from loopdoctor import guard
from loopdoctor.endpoint.server import Endpoint
from loopdoctor.guard import binding


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "python36_grammar: needs a Python whose parser still takes 3.6's grammar")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Newer Pythons may drop the grammar where ``async`` was a name; the scan then keeps
    LD000 for such files, and the tests of that retry have nothing to test."""
    try:
        ast.parse("asyncio.async(coro)", feature_version=(3, 6))
    except (SyntaxError, ValueError):
        skip = pytest.mark.skip(reason="this Python no longer parses Python 3.6's grammar")
        for item in items:
            if item.get_closest_marker("python36_grammar"):
                item.add_marker(skip)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    """The fake LLM endpoint, in this process, on a free loopback port."""
    with Endpoint() as ep:
        yield ep


@pytest.fixture
def guard_on() -> Iterator[None]:
    """The guard, raising, with a clean registry; off again after the test."""
    binding.reset()
    guard.clear()
    guard.install("raise")
    yield
    guard.uninstall()


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


@pytest.fixture
def loopdoctor(tmp_path: Path) -> Callable[..., Ran]:
    """Run ``python -m loopdoctor ARGS`` in a subprocess (cwd: a temp dir), bounded in time."""

    def run(*args: str, cwd: Path = tmp_path, timeout: float = 90) -> Ran:
        env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
        done = subprocess.run([sys.executable, "-m", "loopdoctor", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=timeout)
        return Ran(done.returncode, done.stdout, done.stderr)

    return run
