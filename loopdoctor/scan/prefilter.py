"""A cheap text test that decides which files are worth parsing at all.

Each rule declares the words its findings need (``Rule.needs``); a file that lacks them
for every selected rule cannot produce a finding from its own text and is not parsed.
Files can still matter to *other* files (a function a bridge calls): ``mentions`` finds
those in later rounds, by the names that earlier rounds found interesting.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from loopdoctor.scan.rules.base import Rule


class Prefilter:
    def __init__(self, rules: Iterable[Rule], extra_tokens: Iterable[str] = ()):
        extra = tuple(extra_tokens)
        self.needs = [tuple((*group, *extra) for group in rule.needs) for rule in rules
                      if rule.needs]
        words = sorted({w for needs in self.needs for group in needs for w in group})
        self.digest = hashlib.blake2b("\0".join(words).encode(), digest_size=8).hexdigest()
        self._words = [(w, w.encode()) for w in words]

    def wants(self, data: bytes) -> bool:
        present = {w for w, raw in self._words if raw in data}
        return any(all(any(w in present for w in group) for group in needs)
                   for needs in self.needs)


def mentions(names: Iterable[str]) -> tuple[re.Pattern[bytes] | None, str]:
    """A regex matching any of these identifiers as a whole word, and its digest."""
    ordered = sorted(set(names))
    digest = hashlib.blake2b("\0".join(ordered).encode(), digest_size=8).hexdigest()
    if not ordered:
        return None, digest
    alternation = b"|".join(re.escape(n.encode()) for n in ordered)
    return re.compile(rb"\b(?:" + alternation + rb")\b"), digest
