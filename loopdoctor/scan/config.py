"""``[tool.loopdoctor]`` in pyproject.toml, found by walking up from the scanned paths."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from loopdoctor.scan import rules

_LISTS = ("select", "ignore", "extend-select", "exclude", "loop-bound-types")
_KNOWN = frozenset({*_LISTS, "per-file-ignores"})


class ConfigError(Exception):
    """A configuration or selection problem: reported in one line, exit code 2."""


@dataclass
class Config:
    root: Path  # relative excludes and per-file-ignores are relative to this folder
    source: Path | None = None
    select: list[str] = field(default_factory=lambda: ["LD"])
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    loop_bound_types: list[str] = field(default_factory=list)


def discover(paths: list[str], start: Path | None = None) -> Config:
    """The nearest pyproject.toml with a [tool.loopdoctor] table above the first path."""
    first = Path(paths[0]).resolve() if paths else (start or Path.cwd())
    folder = first if first.is_dir() else first.parent
    for candidate in [folder, *folder.parents]:
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            table = _read(pyproject).get("tool", {}).get("loopdoctor")
            if table is not None:
                return from_table(table, candidate, pyproject)
    return Config(root=Path.cwd())


def load(pyproject: Path) -> Config:
    table = _read(pyproject).get("tool", {}).get("loopdoctor", {})
    return from_table(table, pyproject.resolve().parent, pyproject)


def _read(pyproject: Path) -> dict:
    try:
        with pyproject.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {pyproject}: {exc}") from None


def from_table(table: dict, root: Path, source: Path | None = None) -> Config:
    where = f"[tool.loopdoctor] in {source}" if source else "[tool.loopdoctor]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    unknown = sorted(set(table) - _KNOWN)
    if unknown:
        raise ConfigError(f"{where}: unknown option '{unknown[0]}' "
                          f"(known: {', '.join(sorted(_KNOWN))})")
    for key in _LISTS:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: '{key}' must be a list of strings")
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict) or not all(
            isinstance(v, list) and all(isinstance(c, str) for c in v) for v in per_file.values()):
        raise ConfigError(f"{where}: 'per-file-ignores' must map globs to lists of codes")
    config = Config(
        root=root, source=source, select=table.get("select", ["LD"]),
        ignore=table.get("ignore", []), extend_select=table.get("extend-select", []),
        per_file_ignores=per_file, exclude=table.get("exclude", []),
        loop_bound_types=table.get("loop-bound-types", []),
    )
    for selector in [*config.select, *config.ignore, *config.extend_select,
                     *(c for codes in per_file.values() for c in codes)]:
        check_selector(selector, where)
    return config


def check_selector(selector: str, where: str = "--select/--ignore") -> None:
    if selector != "ALL" and not any(code.startswith(selector) for code in rules.CODES):
        raise ConfigError(f"{where}: unknown rule selector '{selector}'")


def matches(code: str, selectors: list[str]) -> bool:
    return any(s == "ALL" or code.startswith(s) for s in selectors)


def selected_codes(select: list[str], ignore: list[str], extend_select: list[str]
                   ) -> frozenset[str]:
    """ruff's model: prefixes select and ignore; the longer (more specific) selector wins.
    A preview rule (``Rule.preview``) is selected only by ``ALL`` or by its own code."""
    chosen = set()
    for rule in rules.ALL_RULES:
        picked = [s for s in [*select, *extend_select] if matches(rule.code, [s])
                  and (not rule.preview or s in ("ALL", rule.code))]
        dropped = [s for s in ignore if matches(rule.code, [s])]
        if picked and (not dropped or max(map(_weight, picked)) > max(map(_weight, dropped))):
            chosen.add(rule.code)
    return frozenset(chosen)


def _weight(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector)
