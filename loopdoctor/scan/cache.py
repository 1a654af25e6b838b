"""The content-hash cache: facts per file content, so a rerun re-parses nothing.

One pickle per cache folder: ``stat`` maps a path to (mtime_ns, size, content hash) so an
unchanged file is not even read; ``facts`` maps (path, module, hash) to its facts;
``skip`` remembers prefilter verdicts per (hash, prefilter digest).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

_FORMAT = 1


def code_version() -> str:
    """Facts depend on the analyzer's own code: any change invalidates the cache."""
    package = Path(__file__).parent
    parts = [f"{_FORMAT}", sys.version.split()[0]]
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.blake2b("|".join(parts).encode(), digest_size=12).hexdigest()


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class Cache:
    def __init__(self, folder: Path | None):
        self.folder = folder
        self.stat: dict[str, tuple[int, int, str]] = {}
        self.facts: dict[tuple[str, str, str], object] = {}
        self.skip: set[tuple[str, str]] = set()
        self.dirty = False
        self._file = folder / f"scan-{code_version()}.pickle" if folder else None
        self._load()

    def _load(self) -> None:
        if self._file is None or not self._file.is_file():
            return
        try:
            with self._file.open("rb") as handle:
                self.stat, self.facts, self.skip = pickle.load(handle)
        except Exception:
            self.stat, self.facts, self.skip = {}, {}, set()

    def known_hash(self, path: str, stat: os.stat_result) -> str | None:
        entry = self.stat.get(path)
        if entry and entry[0] == stat.st_mtime_ns and entry[1] == stat.st_size:
            return entry[2]
        return None

    def remember_stat(self, path: str, stat: os.stat_result, digest: str) -> None:
        entry = (stat.st_mtime_ns, stat.st_size, digest)
        if self.stat.get(path) != entry:
            self.stat[path] = entry
            self.dirty = True

    def remember_facts(self, key: tuple[str, str, str], facts: object) -> None:
        self.facts[key] = facts
        self.dirty = True

    def remember_skip(self, digest: str, prefilter: str) -> None:
        if (digest, prefilter) not in self.skip:
            self.skip.add((digest, prefilter))
            self.dirty = True

    def save(self) -> None:
        if self._file is None or not self.dirty:
            return
        try:
            self._file.parent.mkdir(parents=True, exist_ok=True)
            gitignore = self._file.parent / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n")
            for old in self._file.parent.glob("scan-*.pickle"):
                if old != self._file:
                    old.unlink(missing_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self._file.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((self.stat, self.facts, self.skip), handle,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self._file)
        except OSError:
            pass  # a read-only checkout still gets its findings
