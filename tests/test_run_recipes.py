"""The README's recipes for real libraries: each module as the README shows it, run as the
README says, must get the verdict row the README shows. Each runs when its libraries are
installed (the CI's frameworks stage installs them) and is skipped otherwise."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from loopdoctor.run.scenario import load

pytestmark = pytest.mark.timeout(300)
Runner = Callable[..., Any]  # the ``loopdoctor`` fixture of conftest.py
README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)
RATE = re.compile(r"^(?P<outcome>[A-Z]+)(?: (?P<seen>\d+)/(?P<runs>\d+))?$")


def run_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("<!-- run:start -->"):text.index("<!-- run:end -->")]


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(run_section()) if lang == language]


def modules() -> dict[str, str]:
    """The README's ``# myapp/NAME.py`` blocks: file name -> source."""
    return {body.split("\n", 1)[0].removeprefix("# myapp/"): body
            for body in blocks("python") if body.startswith("# myapp/")}


def recipes() -> list[tuple[list[str], dict[str, str]]]:
    """Each ``loopdoctor run --factory myapp...`` command shown, with the row the README shows
    for it: scenario -> the outcome cell ("HANG", "HANG 4/5")."""
    scenarios = list(load())
    rows = {}
    for body in blocks("text"):
        for line in body.splitlines():
            if line.startswith("│ myapp."):
                label, *outcomes = (cell.strip() for cell in line.strip("│ ").split("│"))
                rows[label] = dict(zip(scenarios, outcomes, strict=True))
    found = []
    for body in blocks("sh"):
        for line in body.splitlines():
            if line.startswith("loopdoctor run --factory myapp."):
                args = line.split("#")[0].split()[2:]
                if "--repeat" in args:  # one run here: the row says which outcomes are certain
                    del args[args.index("--repeat"):args.index("--repeat") + 2]
                factory = args[args.index("--factory") + 1]
                if factory in rows:  # a command shown with its real output
                    found.append((args, rows[factory]))
    return found


RECIPES = recipes()


def test_the_readme_shows_recipes_for_the_libraries_people_use() -> None:
    shown = " ".join(modules().values())
    for library in ("langchain_openai", "langchain_anthropic", "pydantic_ai", "anthropic"):
        assert f"from {library} import" in shown or f"import {library}" in shown
    assert len(RECIPES) >= 5


@pytest.mark.parametrize(("args", "row"), RECIPES, ids=[" ".join(a) for a, _ in RECIPES])
def test_a_recipe_gets_the_row_the_readme_shows(
    tmp_path: Path, loopdoctor: Runner, args: list[str], row: dict[str, str]
) -> None:
    (tmp_path / "myapp").mkdir()
    (tmp_path / "myapp" / "__init__.py").write_text("")
    module = args[args.index("--factory") + 1].split(":")[0].removeprefix("myapp.")
    source = modules()[f"{module}.py"]
    for library in re.findall(r"^(?:from|import) (\w+)", source, re.MULTILINE):
        if importlib.util.find_spec(library) is None:
            pytest.skip(f"{library} is not installed")
    (tmp_path / "myapp" / f"{module}.py").write_text(source)
    ran = loopdoctor("run", *args, "--timeout", "3", "--format", "json", timeout=240)
    assert "Traceback" not in ran.stderr, ran.stderr
    got = {cell["scenario"]: cell["outcome"] for cell in json.loads(ran.stdout)["cells"]}
    for scenario, shown in row.items():
        expected = RATE.match(shown)
        assert expected is not None, shown
        if expected["outcome"] == "PASS":
            assert got[scenario] == "PASS", (scenario, shown, got)
        else:  # a failure each time; which one (HANG or ERROR) can be a race between loops
            assert got[scenario] != "PASS", (scenario, shown, got)
