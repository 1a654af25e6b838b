"""The package's layers: no import runs back up, and run and scan never import each other.

cli → run | scan → guard → endpoint | report | recipes. Every ``import`` counts, including
those inside functions (the lazy ones are how a cycle hides)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "loopdoctor"

# The parts of loopdoctor each part may import (besides itself and the package's __init__).
ALLOWED: dict[str, set[str]] = {
    "cli": {"run", "scan", "guard", "endpoint", "report"},
    "__main__": {"cli", "run", "guard"},  # run, guard: to start before the CLI imports
    "run": {"guard", "endpoint", "report", "recipes"},
    "scan": {"report"},
    "guard": {"endpoint"},  # the pytest plugin's loopdoctor_endpoint fixture
    "scenario": {"run"},  # the short import path of the scenario API
    "endpoint": set(),
    "report": set(),
    "recipes": set(),
}


def part_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("loopdoctor.")}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_part_has_a_rule() -> None:
    parts = {path.relative_to(PACKAGE).parts[0].removesuffix(".py") for path in modules()}
    assert parts - {"__init__"} == set(ALLOWED)


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_imports_follow_the_layers(path: Path) -> None:
    part = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    if part == "__init__":
        return
    upward = sorted(
        name for name in imported_modules(path)
        if part_of(name) not in {part, "", "__version__", "CrossLoopError"} | ALLOWED[part]
    )
    assert upward == [], f"{part} may import only {sorted(ALLOWED[part])}"
