"""Module names where ``__init__.py`` does not say them: PEP 420 namespace folders, ``src/``
layouts, a tree scanned from above its import root (a wheel's root, a monorepo).

A file's name is first read from its packages (``files.module_name``: up while
``__init__.py`` exists). When folders without ``__init__.py`` sit between that name's root
and the folder scanned, each of them is a candidate import root, and the project's own
absolute imports decide: the root under which most of them resolve to a scanned file
(``from vercel._internal.core.session import X`` puts the root above ``vercel/``). With no
evidence, or where packages have ``__init__.py`` everywhere, the name stays as it was.

Files that still share a name after that (``examples/chat/app.py`` and ``examples/batch/app.py``,
each a script run from its own folder) are named apart (``apart``): every name under each
of their import roots gets that root's tag (``app@chat``), and the files under that root
import the tagged names (``from app import x`` in ``examples/chat/`` is ``app@chat.x``), as
Python finds a script's siblings first. Nothing keyed by a name then mixes two files.

Light on purpose: a warm scan imports it (the names are part of the cache's keys).
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from loopdoctor.scan.files import module_name

_IMPORT = re.compile(
    rb"^[ \t]*(?:from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b|import[ \t]+([^\n#;\\(]+))",
    re.MULTILINE)
_STDLIB = frozenset(sys.stdlib_module_names)


@dataclass(frozen=True)
class Candidate:
    """One way to name a file: the folder its name starts under, and the name."""

    root: Path
    name: str

    @property
    def top(self) -> str:
        return self.name.split(".", 1)[0]


def absolute_imports(data: bytes) -> set[str]:
    """The modules a file imports by absolute name (``from .x`` and the stdlib left out)."""
    found: set[str] = set()
    for from_module, plain in _IMPORT.findall(data):
        names = [from_module] if from_module else [
            part.split()[0] for part in plain.split(b",") if part.split()]
        for name in names:
            text = name.decode("ascii", "replace")
            if text.split(".", 1)[0] not in _STDLIB:
                found.add(text)
    return found


def candidates(path: Path, scan_root: Path) -> list[Candidate]:
    """The name its packages give, then each longer one under a folder up to ``scan_root``."""
    default = module_name(path)
    if path.name == "__init__.py" and default == "__init__":
        return [Candidate(path.parent, default)]  # a folder no import can name
    parts = default.split(".")
    root = path.parents[len(parts) - (1 if path.name != "__init__.py" else 0)]
    found = [Candidate(root, default)]
    if not root.is_relative_to(scan_root):
        return found
    while root != scan_root and root.name.isidentifier():
        parts = [root.name, *parts]
        root = root.parent
        found.append(Candidate(root, ".".join(parts)))
    return found


def ambiguous(paths: list[Path], roots: list[Path]) -> dict[Path, Path]:
    """The files whose name, read from their packages, starts below the folder scanned, with
    that folder. (Strings, not paths: a warm scan asks this of every file.)"""
    tops = sorted((str(root) + os.sep for root in roots), key=len, reverse=True)
    found = {}
    for path in paths:
        text = str(path)
        name = module_name(path)
        cut = name.count(".") + (2 if path.name == "__init__.py" else 1)
        name_root = text.rsplit(os.sep, cut)[0] + os.sep
        scan_root = next((top for top in tops if text.startswith(top)), None)
        if scan_root is not None and name_root != scan_root and name_root.startswith(scan_root):
            found[path] = Path(scan_root)
    return found


def decide(scan_roots: dict[Path, Path], all_paths: Iterable[Path],
           imports_of: Callable[[Path], set[str]]) -> dict[Path, str]:
    """The name each ambiguous file gets where the evidence moves it from its packages' one."""
    options = {path: candidates(path, root) for path, root in scan_roots.items()}
    files = {str(p) for p in all_paths}
    wanted_tops = {c.top for cands in options.values() for c in cands}
    imports: Counter[str] = Counter()
    for path in all_paths:
        imports.update(name for name in imports_of(path) if name.split(".", 1)[0] in wanted_tops)
    votes: dict[tuple[Path, str], int] = {}
    chosen = {}
    for path, cands in options.items():
        best = max(cands, key=lambda c: (_votes(c, imports, files, votes),
                                         -len(c.name)))
        if best is not cands[0] and _votes(best, imports, files, votes) > 0:
            chosen[path] = best.name
    return chosen


def _votes(candidate: Candidate, imports: Counter[str], files: set[str],
           memo: dict[tuple[Path, str], int]) -> int:
    """How many imports of the candidate's top name resolve to a scanned file under its root."""
    key = (candidate.root, candidate.top)
    if key not in memo:
        memo[key] = sum(count for name, count in imports.items()
                        if name.split(".", 1)[0] == candidate.top
                        and _resolves(candidate.root, name, files))
    return memo[key]


def _resolves(root: Path, dotted: str, files: set[str]) -> bool:
    """``a.b`` under ``root``: ``a/b.py`` or ``a/b/__init__.py`` is scanned (a bare folder is
    not evidence: ``import openai`` says nothing about an ``examples/openai/`` folder)."""
    base = root.joinpath(*dotted.split("."))
    return f"{base}.py" in files or str(base / "__init__.py") in files


TAG = "@"  # ``top@tag``: a top-level name of one import root among several that share it
_UNTAG = re.compile(r"(?<=\w)@[\w/-]+")
_TAG_CHARS = re.compile(r"[^\w/-]")


def import_root(path: Path, name: str) -> Path:
    """The folder a file's name starts under: ``root/pkg/mod.py`` named ``pkg.mod`` -> root."""
    if path.name == "__init__.py" and name == "__init__":
        return path.parent  # a folder no import can name
    depth = name.count(".") + (1 if path.name == "__init__.py" else 0)
    return path.parents[min(depth, len(path.parents) - 1)]


def apart(names: dict[Path, str]) -> tuple[dict[Path, str], dict[Path, dict[str, str]]]:
    """Files that share a name, named apart: each top-level name shared by two import roots
    becomes ``top@tag`` under each root (its tag: the root's last folders, as few as tell
    the roots apart). Returns the new names, and for every file under such a root the tops
    its absolute imports rename (``{"app": "app@chat"}``). First, a module that a package of
    its name sits beside (``client.py`` and ``client/__init__.py``) is named apart from it
    (``client@shadowed``): Python imports the package, no import reaches the module."""
    hidden = _shadowed(names)
    names = {**names, **hidden}
    by_name: dict[str, list[Path]] = defaultdict(list)
    for path, name in names.items():
        by_name[name].append(path)
    shared: dict[str, set[Path]] = defaultdict(set)  # top -> the roots that share it
    for name, paths in by_name.items():
        if len(paths) > 1:
            roots = {import_root(path, name) for path in paths}
            if len(roots) > 1:
                shared[name.partition(".")[0]] |= roots
    if not shared:
        return hidden, {}
    renames: dict[Path, dict[str, str]] = defaultdict(dict)  # root -> top -> tagged top
    for top, roots in shared.items():
        for root, tag in _tags(roots).items():
            renames[root][top] = f"{top}{TAG}{tag}"
    renamed: dict[Path, str] = dict(hidden)
    imports = {}
    for path, name in names.items():
        root = import_root(path, name)
        if root in renames:
            imports[path] = renames[root]
            top, dot, rest = name.partition(".")
            if top in renames[root]:
                renamed[path] = f"{renames[root][top]}{dot}{rest}"
    return renamed, imports


def _shadowed(names: dict[Path, str]) -> dict[Path, str]:
    """``x.py`` beside a package ``x/`` (its ``__init__.py`` scanned) of the same name: the
    module, with a tag no import names. (A folder without ``__init__.py`` beside it is a
    namespace portion, and the module wins: that one keeps its name.)"""
    packages = {name for path, name in names.items() if path.name == "__init__.py"}
    found = {}
    for path, name in names.items():
        if name in packages and path.name != "__init__.py" and path.suffix == ".py" \
                and names.get(path.with_suffix("") / "__init__.py") == name:
            found[path] = f"{name}{TAG}shadowed"
    return found


def _tags(roots: set[Path]) -> dict[Path, str]:
    """Each root's last folders (no dots: they would split the name), as few as are unique."""
    found: dict[Path, str] = {}
    for count in range(1, max(len(r.parts) for r in roots) + 1):
        found = {r: _TAG_CHARS.sub("_", "/".join(r.parts[-count:])) for r in roots}
        if len(set(found.values())) == len(roots):
            return found
    return {r: f"{tag}/{i}" for i, (r, tag) in enumerate(sorted(found.items()))}


def untagged(text: str) -> str:
    """A name or message as people write it: ``app@chat.get_client`` -> ``app.get_client``."""
    return _UNTAG.sub("", text) if TAG in text else text
