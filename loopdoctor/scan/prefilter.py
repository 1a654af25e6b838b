"""A cheap text test that decides which files are worth parsing at all.

Each rule declares the words its findings need (``Rule.needs``); a file that lacks them
for every selected rule cannot produce a finding from its own text and is not parsed.
Files can still matter to *other* files (a function a bridge calls): ``mentions`` finds
those in later rounds, by the names that earlier rounds found interesting.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Mapping
from types import MappingProxyType

from loopdoctor.scan.rules.base import Rule

# Short substrings of many needed words: when a gate is absent, so is every word containing
# it, and those words are not searched for (most files lack both gates).
_GATES = ("sync", "loop")
# A rule's word groups (one word of each must be in the text) and its pattern.
_Need = tuple[tuple[tuple[bytes, ...], ...], "re.Pattern[bytes] | None"]
_NO_CLASSES: Mapping[str, Collection[str]] = MappingProxyType({})


class Prefilter:
    def __init__(self, rules: Iterable[Rule], extra_tokens: Iterable[str] = ()):
        extra = tuple(extra_tokens)
        rules = [rule for rule in rules if rule.needs]
        self.needs = [tuple((*group, *extra) for group in rule.needs) for rule in rules]
        self.patterns = [re.compile(rule.needs_pattern.encode()) if rule.needs_pattern else None
                         for rule in rules]
        words = sorted({w for needs in self.needs for group in needs for w in group})
        key = "\0".join([*words, *(r.needs_pattern or "" for r in rules)])
        self.digest = hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
        self._gate_of = {w: next((g for g in _GATES if g in w), None) for w in words}
        self._possible: dict[frozenset[str], list[_Need]] = {}

    def wants(self, data: bytes) -> bool:
        """Does some rule find all of its word groups (and its pattern) in this text?"""
        gates = frozenset(g for g in _GATES if g.encode() in data)
        rules = self._possible.get(gates)
        if rules is None:
            rules = self._possible[gates] = self._possible_with(gates)
        seen: dict[bytes, bool] = {}
        return any(all(_has_one(group, data, seen) for group in groups)
                   and (pattern is None or pattern.search(data) is not None)
                   for groups, pattern in rules)

    def _possible_with(self, gates: frozenset[str]) -> list[_Need]:
        """The rules a text with only these gates may satisfy, each group without the words
        whose gate is absent (a rule with a group left empty cannot be satisfied)."""
        possible = []
        for needs, pattern in zip(self.needs, self.patterns, strict=True):
            groups = tuple(tuple(w.encode() for w in group
                                 if self._gate_of[w] is None or self._gate_of[w] in gates)
                           for group in needs)
            if all(groups):
                possible.append((groups, pattern))
        return possible


def _has_one(words: tuple[bytes, ...], data: bytes, seen: dict[bytes, bool]) -> bool:
    for word in words:
        found = seen.get(word)
        if found is None:
            found = seen[word] = word in data
        if found:
            return True
    return False


class Mentions:
    """Does a text mention ``pkg.mod.name``? It must contain ``name`` as a word, and a word
    of the path that leads to it: to use a name from another module, a file imports it
    through the module, its package or the name itself. A member of a class
    (``pkg.mod.Cls.name``) is reached through the class, the module that defines it, or a
    project class it derives from (``classes`` maps each class to those), whose own code calls
    ``self.name``."""

    def __init__(self, qualnames: Iterable[str],
                 classes: Mapping[str, Collection[str]] = _NO_CLASSES):
        self.qualifiers: dict[bytes, set[bytes]] = {}
        for qualname in qualnames:
            if "<" in qualname:
                continue  # nested functions and lambdas are not reachable from other files
            *path, name = qualname.split(".")
            path = [p.partition("@")[0] for p in _owners(path, classes)]  # (naming.apart)
            path = [p for p in path if p.isidentifier()]
            if len(name) > 2 and name.isidentifier() and not name.startswith("__") and path:
                self.qualifiers.setdefault(name.encode(), set()).update(p.encode() for p in path)
        # A name is a word of the text when it is one of the text's runs of word characters;
        # names with other than ASCII letters are looked for with a pattern of their own.
        self._ascii = frozenset(n for n in self.qualifiers if n.isascii())
        self._words: dict[bytes, re.Pattern[bytes]] = {
            n: _word_pattern(n) for n in self.qualifiers if n not in self._ascii}
        key = b"\0".join(n + b":" + b",".join(sorted(q))
                          for n, q in sorted(self.qualifiers.items()))
        self.digest = hashlib.blake2b(key, digest_size=8).hexdigest()

    def matches(self, data: bytes, words: frozenset[bytes] | None = None) -> bool:
        """(``words``: the text's ``words(data)``, when the caller keeps them.)"""
        words = words if words is not None else words_of(data)
        named = {*self._ascii.intersection(words),
                 *(n for n, word in self._words.items() if word.search(data))}
        return any(_has_word(q, data, words) for name in named for q in self.qualifiers[name])


def _owners(path: list[str], classes: Mapping[str, Collection[str]]) -> list[str]:
    """The words that lead to a member of ``path``: the outermost class in it, the classes
    nested in that one, the module that defines it and the project classes it derives from;
    for a module's own name, the path."""
    for end in range(1, len(path) + 1):
        bases = classes.get(".".join(path[:end]))
        if bases is not None:
            return [*path[max(end - 2, 0):], *bases]
    return path


def _word_pattern(word: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"\b" + re.escape(word) + rb"\b")


def _has_word(word: bytes, data: bytes, words: frozenset[bytes]) -> bool:
    return word in words if word.isascii() else _word_pattern(word).search(data) is not None


_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_SPACES = bytes(b if b in _WORD_BYTES else 32 for b in range(256))  # other bytes: a space


def words_of(data: bytes) -> frozenset[bytes]:
    """The text's runs of word characters (``rb"\\w+"``: ASCII letters, digits and ``_``),
    split out at about twice the speed of the pattern."""
    return frozenset(data.translate(_SPACES).split())


def mentions(qualnames: Iterable[str],
             classes: Mapping[str, Collection[str]] = _NO_CLASSES) -> Mentions | None:
    found = Mentions(qualnames, classes)
    return found if found.qualifiers else None
