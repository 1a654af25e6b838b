"""gitignore-style patterns, used for .gitignore files and for ``exclude`` settings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern[str]
    negated: bool
    dir_only: bool


def compile_pattern(line: str) -> Pattern | None:
    line = line.rstrip("\n").rstrip()
    if not line or line.startswith("#"):
        return None
    negated = line.startswith("!")
    if negated:
        line = line[1:]
    if line.startswith("\\"):
        line = line[1:]
    dir_only = line.endswith("/")
    line = line.strip("/") if dir_only else line
    anchored = "/" in line.rstrip("/")
    line = line.lstrip("/")
    body = _glob_to_regex(line)
    regex = body if anchored else f"(?:.*/)?{body}"
    return Pattern(re.compile(regex), negated, dir_only)


def _glob_to_regex(glob: str) -> str:
    out, i = [], 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and (end := glob.find("]", i + 1)) > 0:
            out.append("[" + glob[i + 1:end].replace("!", "^", 1) + "]")
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class PatternSet:
    base: str  # a folder, as an absolute posix path ending with "/"
    patterns: tuple[Pattern, ...]

    @classmethod
    def parse(cls, base: Path, lines: list[str]) -> PatternSet:
        return cls(base.as_posix().rstrip("/") + "/",
                   tuple(p for p in map(compile_pattern, lines) if p is not None))

    def verdict(self, path: str, is_dir: bool) -> bool | None:
        """True: ignored; False: re-included by a ``!`` pattern; None: no pattern applies.

        ``path`` is absolute (posix); outside ``base`` only unanchored patterns can match.
        """
        relative = path[len(self.base):] if path.startswith(self.base) else path.lstrip("/")
        result = None
        for pattern in self.patterns:
            if pattern.dir_only and not is_dir:
                continue
            if pattern.regex.fullmatch(relative):
                result = not pattern.negated
        return result


def is_ignored(path: str, is_dir: bool, sets: list[PatternSet]) -> bool:
    result = False
    for pattern_set in sets:
        verdict = pattern_set.verdict(path, is_dir)
        if verdict is not None:
            result = verdict
    return result
