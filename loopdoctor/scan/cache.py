"""The content-hash cache: facts per file content, so a rerun re-parses nothing.

Two pickles per cache folder, both named by the analyzer's version (``code_version``). The
small index holds ``stat`` (path -> mtime, size, content hash: an unchanged file is not even
read), ``verdicts`` (whether a prefilter, or a later round's matcher, wants a file: per
content hash and the matcher's digest), ``names`` (the module
names the last project's imports decided, keyed by its paths and contents) and ``results``
(the findings of the last project, keyed by everything they depend on). The large one holds
``facts`` per (path, module, content hash), loaded only when a project has to be joined again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
from pathlib import Path

import loopdoctor

_FORMAT = 5
# A file written this recently may be written again within the same mtime tick, keeping its
# size: its stat proves nothing yet, so it is hashed again next time (git's "racily clean").
_RACY_NS = 2_000_000_000


def code_version() -> str:
    """Facts depend on the analyzer's own code: any change invalidates the cache."""
    package = Path(__file__).parent
    parts = [f"{_FORMAT}", loopdoctor.__version__, sys.version.split()[0]]
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.blake2b("|".join(parts).encode(), digest_size=12).hexdigest()


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _load(path: Path | None, empty):
    if path is None or not path.is_file():
        return empty
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except Exception:  # a corrupt cache is an empty cache
        return empty


class Cache:
    def __init__(self, folder: Path | None):
        self.folder = folder
        version = code_version() if folder else ""
        self._index_file = folder / f"index-{version}.pickle" if folder else None
        self._facts_file = folder / f"facts-{version}.pickle" if folder else None
        self.stat: dict[str, tuple[int, int, str]]
        self.verdicts: dict[tuple[str, str], bool]
        self.results: dict[str, object]
        self.names: dict[str, dict[str, str]]
        self.stat, self.verdicts, self.results, self.names = _load(self._index_file,
                                                                   ({}, {}, {}, {}))
        self._facts: dict[tuple[str, str, str], object] | None = None
        self._dirty_index = self._dirty_facts = False

    @property
    def facts(self) -> dict[tuple[str, str, str], object]:
        if self._facts is None:
            self._facts = _load(self._facts_file, {})
        return self._facts

    def known_hash(self, path: str, stat: os.stat_result) -> str | None:
        entry = self.stat.get(path)
        if entry and entry[0] == stat.st_mtime_ns and entry[1] == stat.st_size:
            return entry[2]
        return None

    def remember_stat(self, path: str, stat: os.stat_result, digest: str) -> None:
        if time.time_ns() - stat.st_mtime_ns < _RACY_NS:
            return
        entry = (stat.st_mtime_ns, stat.st_size, digest)
        if self.stat.get(path) != entry:
            self.stat[path] = entry
            self._dirty_index = True

    def remember_facts(self, key: tuple[str, str, str], facts: object) -> None:
        self.facts[key] = facts
        self._dirty_facts = True

    def remember_verdict(self, key: tuple[str, str], wanted: bool) -> None:
        if self.verdicts.get(key) is not wanted:
            self.verdicts[key] = wanted
            self._dirty_index = True

    def remember_result(self, key: str, result: object) -> None:
        self.results = {key: result}
        self._dirty_index = True

    def remember_names(self, key: str, names: dict[str, str]) -> None:
        self.names = {key: names}
        self._dirty_index = True

    def save(self) -> None:
        if self.folder is None or not (self._dirty_index or self._dirty_facts):
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n")
            keep = {self._index_file, self._facts_file}
            for old in self.folder.glob("*.pickle"):
                if old not in keep:
                    old.unlink(missing_ok=True)
            if self._dirty_facts:
                _dump(self._facts_file, self.facts)
            _dump(self._index_file, (self.stat, self.verdicts, self.results, self.names))
        except OSError:
            pass  # a read-only checkout still gets its findings


def _dump(path: Path, value: object) -> None:
    import tempfile  # only a run that has something new to remember writes

    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
