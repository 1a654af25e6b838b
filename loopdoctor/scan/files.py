"""Which files a scan reads: paths given, folders walked, excludes and .gitignore applied."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from loopdoctor.scan.gitignore import PatternSet, is_ignored

DEFAULT_EXCLUDES = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".mypy_cache", ".nox",
    ".pants.d", ".pytype", ".ruff_cache", ".svn", ".tox", ".venv", "venv", "__pypackages__",
    "_build", "buck-out", "build", "dist", "node_modules", "__pycache__", ".loopdoctor_cache",
    ".pytest_cache",
)


_DEFAULT_NAMES = frozenset(DEFAULT_EXCLUDES)


class MissingPath(Exception):
    pass


@dataclass
class Discovery:
    root: Path  # excludes are relative to it (the config's folder, or the current one)
    excludes: list[str] = field(default_factory=list)
    force_exclude: bool = False
    respect_gitignore: bool = True

    def __post_init__(self) -> None:
        self._excludes = PatternSet.parse(self.root, self.excludes)
        self._gitignores: dict[Path, PatternSet | None] = {}

    def files(self, paths: list[str]) -> list[Path]:
        """Every Python file under the given paths, in a stable order, each once."""
        missing = [p for p in paths if not os.path.lexists(p)]
        if missing:
            raise MissingPath(missing[0])
        found: dict[str, Path] = {}
        for given in paths:
            path = Path(os.path.abspath(given))
            if path.is_dir():
                for file in self._walk(path):
                    found.setdefault(str(file), file)
            elif not (self.force_exclude and self._excluded_with_parents(path)):
                found.setdefault(str(path), path)
        return list(found.values())

    def _walk(self, top: Path) -> Iterator[Path]:
        seen_dirs: set[tuple[int, int]] = set()
        pending: list[tuple[str, list[PatternSet]]] = [(str(top), self._rules_for(top))]
        while pending:
            folder, rules = pending.pop()
            try:
                info = os.stat(folder)
                entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
            except OSError:
                continue  # unreadable or vanished folder: nothing to scan there
            if (info.st_dev, info.st_ino) in seen_dirs:
                continue  # a symlink loop
            seen_dirs.add((info.st_dev, info.st_ino))
            files = []
            for entry in entries:
                is_dir = _is_dir(entry)
                if not (is_dir or entry.name.endswith(".py")):
                    continue
                if is_dir and entry.name in _DEFAULT_NAMES:
                    continue
                if rules and is_ignored(entry.path, is_dir, rules):
                    continue
                if is_dir:
                    pending.append((entry.path, self._with_gitignore(rules, entry.path)))
                else:
                    files.append(Path(entry.path))
            yield from reversed(files)

    def _with_gitignore(self, rules: list[PatternSet], folder: str) -> list[PatternSet]:
        if not self.respect_gitignore or _git_root(Path(folder)) is None:
            return rules
        found = self._gitignore(Path(folder))
        return [*rules, found] if found and found.patterns else rules

    def _rules_for(self, folder: Path) -> list[PatternSet]:
        """Excludes, then every .gitignore from the work tree's top down to ``folder``."""
        sets = [self._excludes] if self._excludes.patterns else []
        if self.respect_gitignore and (repo := _git_root(folder)) is not None:
            for parent in [*reversed(folder.parents), folder]:
                if parent.is_relative_to(repo) and (found := self._gitignore(parent)):
                    sets.append(found)
        return [s for s in sets if s.patterns]

    def _gitignore(self, folder: Path) -> PatternSet | None:
        if folder not in self._gitignores:
            try:
                lines = (folder / ".gitignore").read_text(errors="replace").splitlines()
                self._gitignores[folder] = PatternSet.parse(folder, lines)
            except OSError:
                self._gitignores[folder] = None
        return self._gitignores[folder]

    def _excluded_with_parents(self, path: Path) -> bool:
        candidates = [(path, False), *((p, True) for p in path.parents)]
        return any((d and p.name in _DEFAULT_NAMES)
                   or is_ignored(p.as_posix(), d, self._rules_for(p.parent))
                   for p, d in candidates if p != p.parent)


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()  # follows symlinks; loops are caught by the inode check
    except OSError:
        return False


_git_roots: dict[Path, Path | None] = {}


def _git_root(folder: Path) -> Path | None:
    """The enclosing git work tree: .gitignore files only count inside one."""
    if folder not in _git_roots:
        if (folder / ".git").exists():
            _git_roots[folder] = folder
        else:
            _git_roots[folder] = None if folder.parent == folder else _git_root(folder.parent)
    return _git_roots[folder]


_package_cache: dict[Path, str | None] = {}


def module_name(path: Path) -> str:
    """``src/pkg/sub/mod.py`` -> ``pkg.sub.mod``, walking up while ``__init__.py`` exists."""
    parts = [] if path.name == "__init__.py" else [path.stem]
    package = _package_of(path.parent)
    return ".".join([package, *parts]) if package else ".".join(parts) or path.stem


def _package_of(folder: Path) -> str | None:
    """A folder with ``__init__.py`` is a package; one without it inside a package is a
    namespace portion of that package (``pkg/llms/openai/`` -> ``pkg.llms.openai``)."""
    if folder not in _package_cache:
        _package_cache[folder] = None
        if folder.parent != folder and folder.name.isidentifier():
            parent = _package_of(folder.parent)
            if (folder / "__init__.py").exists():
                _package_cache[folder] = f"{parent}.{folder.name}" if parent else folder.name
            elif parent:
                _package_cache[folder] = f"{parent}.{folder.name}"
    return _package_cache[folder]


def relative_to(path: str, root: Path) -> str:
    """``path`` as seen from ``root`` when inside it (posix), else as it is."""
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return Path(path).as_posix()
