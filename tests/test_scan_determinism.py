"""The same tree gives the same findings whatever the hash seed: each scan runs in a process
of its own (``PYTHONHASHSEED`` decides the order sets of names are walked in)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SEEDS = range(8)

# ``Metric.ascore`` reaches the client ``LLM.client`` through ``self.seat``, which holds a
# ``Judge`` (whose ``llm`` is an ``LLM``) or a ``Panel`` (which holds a ``Judge`` one step
# further). Which of the two is met first must not decide whether ``LLM`` is found.
PROJECT = {
    "pkg/__init__.py": "",
    "pkg/llm.py": (
        "class LLM:\n"
        "    def __init__(self, client):\n"
        "        self.client = client\n\n"
        "    async def ask(self, prompt):\n"
        "        return await self.client.chat.completions.create(model='m', messages=prompt)\n"),
    "pkg/metric.py": (
        "import asyncio\n\n"
        "from pkg.llm import LLM\n\n\n"
        "class Judge:\n"
        "    def __init__(self, client):\n"
        "        self.llm = LLM(client)\n\n\n"
        "class Panel:\n"
        "    def __init__(self, client):\n"
        "        self.judge = Judge(client)\n\n\n"
        "class Metric:\n"
        "    def __init__(self, client, solo):\n"
        "        self.seat = Judge(client) if solo else Panel(client)\n\n"
        "    def score(self):\n"
        "        return asyncio.run(self.ascore())\n\n"
        "    async def ascore(self):\n"
        "        return await self.seat.llm.ask('q')\n"),
}


def scan_with_seed(root: Path, seed: int) -> list[tuple[str, str, int]]:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    done = subprocess.run(
        [sys.executable, "-m", "loopdoctor", "scan", ".", "--select", "ALL", "--no-cache",
         "--format", "json", "--exit-zero", "-j", "1"],
        cwd=root, env=env, capture_output=True, text=True, timeout=60, check=True)
    return sorted((f["code"], f["path"], f["line"]) for f in json.loads(done.stdout)["findings"])


@pytest.mark.timeout(180)
def test_findings_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    for name, text in PROJECT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = {seed: scan_with_seed(tmp_path, seed) for seed in SEEDS}
    assert all(result == found[0] for result in found.values()), found
    assert found[0] == [("LD103", "pkg/metric.py", 21)]
