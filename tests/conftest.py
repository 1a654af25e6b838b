"""Helpers shared by the tests that run ``loopdoctor`` as users do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


@pytest.fixture
def loopdoctor(tmp_path: Path):
    """Run ``python -m loopdoctor ARGS`` in a subprocess (cwd: a temp dir), bounded in time."""

    def run(*args: str, cwd: Path = tmp_path, timeout: float = 90) -> Ran:
        env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
        done = subprocess.run([sys.executable, "-m", "loopdoctor", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=timeout)
        return Ran(done.returncode, done.stdout, done.stderr)

    return run
