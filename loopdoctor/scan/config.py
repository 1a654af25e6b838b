"""``[tool.loopdoctor]`` in pyproject.toml, found by walking up from the scanned paths."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from loopdoctor.scan import rules

_LISTS = ("select", "ignore", "extend-select", "exclude", "loop-bound-types")
_KNOWN = frozenset({*_LISTS, "per-file-ignores", "target-version", "newest-version"})
# The oldest Python scanned code is taken to run on when nothing says: ruff's default.
DEFAULT_TARGET = "py39"
_TARGET = re.compile(r"py3(\d{1,2})")
_MINORS = 40  # a specifier that still allows 3.39 sets no newest Python
_OLDEST_MINORS = 30  # an oldest Python past 3.29 is taken for a misreading: the default


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
    target_version: str | None = None  # the oldest Python the scanned code runs on
    requires_python: str | None = None  # the nearest pyproject.toml's, when no target is set
    newest_version: str | None = None  # the newest Python it runs on, when it has one

    @property
    def python(self) -> tuple[int, int]:
        return python_of(self.target_version or target_of(self.requires_python))

    @property
    def newest_python(self) -> tuple[int, int] | None:
        """The newest Python the code runs on; None when nothing bounds it."""
        newest = self.newest_version or newest_of(self.requires_python)
        return python_of(newest) if newest else None


def discover(paths: list[str], start: Path | None = None) -> Config:
    """The nearest pyproject.toml with a [tool.loopdoctor] table above the first path. As
    ruff does, a target version it does not set comes from the ``requires-python`` of the
    nearest pyproject.toml that has one, with or without that table."""
    first = Path(paths[0]).resolve() if paths else (start or Path.cwd())
    folder = first if first.is_dir() else first.parent
    requires = None
    for candidate in [folder, *folder.parents]:
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            data = _read(pyproject)
            requires = requires or _requires_python(data)
            table = data.get("tool", {}).get("loopdoctor")
            if table is not None:
                return from_table(table, candidate, pyproject, requires)
    return Config(root=Path.cwd(), requires_python=requires)


def load(pyproject: Path) -> Config:
    data = _read(pyproject)
    return from_table(data.get("tool", {}).get("loopdoctor", {}), pyproject.resolve().parent,
                      pyproject, _requires_python(data))


def _read(pyproject: Path) -> dict:
    try:
        with pyproject.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {pyproject}: {exc}") from None


def from_table(table: dict, root: Path, source: Path | None = None,
               requires_python: str | None = None) -> Config:
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
    target, newest = table.get("target-version"), table.get("newest-version")
    if target is not None:
        check_target(target, f"{where}: 'target-version'")
    if newest is not None:
        check_target(newest, f"{where}: 'newest-version'")
    config = Config(
        root=root, source=source, select=table.get("select", ["LD"]),
        ignore=table.get("ignore", []), extend_select=table.get("extend-select", []),
        per_file_ignores=per_file, exclude=table.get("exclude", []),
        loop_bound_types=table.get("loop-bound-types", []), target_version=target,
        requires_python=requires_python, newest_version=newest,
    )
    for selector in [*config.select, *config.ignore, *config.extend_select,
                     *(c for codes in per_file.values() for c in codes)]:
        check_selector(selector, where)
    return config


def check_target(target: object, where: str = "--target-version") -> None:
    if not isinstance(target, str) or not _TARGET.fullmatch(target):
        raise ConfigError(f"{where}: expected a version like py39 or py312, got {target!r}")


def python_of(target: str) -> tuple[int, int]:
    match = _TARGET.fullmatch(target)
    assert match is not None, target
    return 3, int(match.group(1))


def _requires_python(data: dict) -> str | None:
    project = data.get("project")
    value = project.get("requires-python") if isinstance(project, dict) else None
    return value if isinstance(value, str) else None


def target_of(requires_python: str | None) -> str:
    """The oldest Python 3 minor release a ``requires-python`` specifier allows (py39 for
    ``>=3.9``); the default when there is none or it cannot be read. (Only a cold scan asks:
    a warm one keys its answer on the text.)"""
    minors = _allowed_minors(requires_python)
    return f"py3{minors[0]}" if minors and minors[0] < _OLDEST_MINORS else DEFAULT_TARGET


def newest_of(requires_python: str | None) -> str | None:
    """The newest Python 3 minor release a ``requires-python`` specifier allows (py313 for
    ``>=3.11,<3.14``); None when it has no upper bound, allows nothing or cannot be read."""
    minors = _allowed_minors(requires_python)
    return f"py3{minors[-1]}" if minors and minors[-1] < _MINORS else None


def _allowed_minors(requires_python: str | None) -> list[int]:
    """The Python 3 minor releases (up to 3.``_MINORS``) a specifier allows, oldest first;
    none when there is no specifier or it cannot be read."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    if not requires_python:
        return []
    try:
        allowed = SpecifierSet(requires_python)
    except InvalidSpecifier:
        return []
    return [minor for minor in range(_MINORS + 1)
            if any(allowed.contains(f"3.{minor}.{patch}", prereleases=True)
                   for patch in (0, 99))]


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
