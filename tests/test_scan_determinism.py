"""The same tree gives the same findings whatever the hash seed: each scan runs in a process
of its own (``PYTHONHASHSEED`` decides the order sets of names are walked in). And what the
join says of a value does not depend on which question was asked first when the chain behind
it is deeper than the join's nesting limit: a value refused for depth is worked out on its
own, and nothing cut short is kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from loopdoctor.scan.engine import analyze
from loopdoctor.scan.model import Op, Value
from loopdoctor.scan.project import Project

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


def scan_with_seed(root: Path, seed: int, messages: bool = False) -> list[tuple]:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    done = subprocess.run(
        [sys.executable, "-m", "loopdoctor", "scan", ".", "--select", "ALL", "--no-cache",
         "--format", "json", "--exit-zero", "-j", "1"],
        cwd=root, env=env, capture_output=True, text=True, timeout=60, check=True)
    return sorted((f["code"], f["path"], f["line"], *([f["message"]] if messages else []))
                  for f in json.loads(done.stdout)["findings"])


@pytest.mark.timeout(180)
def test_findings_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    for name, text in PROJECT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = {seed: scan_with_seed(tmp_path, seed) for seed in SEEDS}
    assert all(result == found[0] for result in found.values()), found
    assert found[0] == [("LD103", "pkg/metric.py", 21)]


LINKS = 32  # f0() -> f1() -> ... -> f32() -> AsyncOpenAI(): deeper than the nesting limit


def chain(start: int = 0) -> str:
    lines = ["from openai import AsyncOpenAI\n\n\n"]
    lines += [f"def f{i}():\n    return f{i + 1}()\n\n\n" for i in range(LINKS)]
    lines.append(f"def f{LINKS}():\n    return AsyncOpenAI()\n\n\n")
    lines.append(f"C1 = f{start}()\nC2 = f12()\n")
    return "".join(lines)


def project(tmp_path: Path) -> Project:
    path = tmp_path / "chain.py"
    path.write_text(chain())
    return Project([analyze(str(path), "app.chain", path.read_bytes())])


def bound(project: Project, function: str) -> str | None:
    found = project.types.bound((Value(Op.CALL, f"app.chain.{function}", line=1),), "chain.py")
    return found.type if found else None


@pytest.mark.parametrize("first", ["f0", "f12", "f20"])
def test_an_answer_does_not_depend_on_what_was_asked_first(tmp_path: Path, first: str) -> None:
    join = project(tmp_path)
    bound(join, first)
    assert [bound(join, f) for f in ("f0", "f12", "f20", "f31")] == ["openai.AsyncOpenAI"] * 4


USE = """\
import asyncio
import threading

from pkg import chain


async def ask():
    await chain.C1.chat.completions.create(model="m", messages=[])
    await chain.C2.chat.completions.create(model="m", messages=[])


def bridge():
    threading.Thread(target=lambda: asyncio.run(ask())).start()
"""


@pytest.mark.timeout(120)
def test_a_client_made_deeper_than_the_limit_is_found_under_every_seed(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "chain.py").write_text(chain())
    (tmp_path / "pkg" / "use.py").write_text(USE)
    found = {seed: scan_with_seed(tmp_path, seed) for seed in range(4)}
    assert all(result == found[0] for result in found.values()), found
    c1 = chain().count("\n") - 1
    assert found[0] == [("LD101", "pkg/use.py", 13), ("LD301", "pkg/chain.py", c1),
                        ("LD301", "pkg/chain.py", c1 + 1)]


# ``Service.backend`` is an ``Alpha`` or a ``Beta``, made on one line, and each holds an
# ``AsyncOpenAI``: two reasons that tie on kind and place. The one the message names must not
# be the one a set happens to give first.
TIED = """\
import asyncio
import threading

from openai import AsyncOpenAI


class Alpha:
    def __init__(self):
        self.client = AsyncOpenAI()


class Beta:
    def __init__(self):
        self.client = AsyncOpenAI()


class Service:
    def __init__(self, fast):
        self.backend = Alpha() if fast else Beta()

    async def ask(self):
        return await self.backend.client.chat.completions.create(model="m", messages=[])


SERVICE = Service(True)


def bridge():
    threading.Thread(target=lambda: asyncio.run(SERVICE.ask())).start()
"""


@pytest.mark.timeout(180)
def test_the_reason_named_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    (tmp_path / "svc.py").write_text(TIED)
    found = {seed: scan_with_seed(tmp_path, seed, messages=True) for seed in SEEDS}
    assert all(result == found[0] for result in found.values()), found
    [(code, _, line, message)] = found[0]
    assert (code, line) == ("LD101", 29) and "[`Alpha` created at line 19" in message


def outputs_under_every_seed(script: str) -> set[str]:
    """What ``python -c script`` prints under each of SEEDS: one output when none leaks."""
    return {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": str(seed)}
                           ).stdout for seed in SEEDS}


FIRST = """\
import sys

from loopdoctor.scan.types import _MAX_TYPES, How, Typ, _first

# One more than the limit, the last two alike but for how they are known: which is cut?
types = [Typ(f"a{i}", "p.py", 1) for i in range(_MAX_TYPES - 1)]
types += [Typ("b", "p.py", 2, How.MADE), Typ("b", "p.py", 2, How.ANNOTATED)]
print(sorted(t.how.value for t in _first(types) if t.name == "b"))
"""


@pytest.mark.timeout(120)
def test_the_types_kept_past_the_limit_do_not_depend_on_the_hash_seed() -> None:
    kept = outputs_under_every_seed(FIRST)
    assert kept == {"['annotated']\n"}, kept


OVERRIDES = """\
from loopdoctor.scan.engine import analyze
from loopdoctor.scan.project import Project

SOURCE = "class Base:\\n    def run(self):\\n        pass\\n" + "".join(
    f"\\n\\nclass Sub{i}(Base):\\n    def run(self):\\n        pass\\n" for i in range(8))
print(Project([analyze("m.py", "m", SOURCE.encode())]).overrides("m.Base.run"))
"""


@pytest.mark.timeout(120)
def test_subclasses_are_walked_in_the_same_order_under_every_hash_seed() -> None:
    """What a call of ``Base.run`` may run, in the order the join is asked about them."""
    walked = outputs_under_every_seed(OVERRIDES)
    assert walked == {str(("m.Base.run", *(f"m.Sub{i}.run" for i in range(8)))) + "\n"}, walked
