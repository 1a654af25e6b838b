"""``# noqa: LD101`` and ``# loopdoctor: ignore[LD101] reason`` comments."""

from __future__ import annotations

import io
import re
import tokenize

from loopdoctor.scan.model import Finding, Suppression

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?",
                   re.IGNORECASE)
_IGNORE = re.compile(r"#\s*loopdoctor:\s*ignore\[(?P<codes>[^\]]*)\]")
_CODE = re.compile(r"[A-Z]+[0-9]+")
# Text that may hold a suppression that counts: a bare noqa, one naming an LD code, or ours.
# (A noqa that names only other tools' codes neither suppresses a finding nor is reported.)
_MAY_COUNT = re.compile(r"#\s*noqa(?!:\s*[a-z]+[0-9])|#\s*noqa:[^\n]*ld[0-9]|loopdoctor:",
                        re.IGNORECASE)


def parse(text: str) -> tuple[Suppression, ...]:
    """Suppressions in real comments (not in strings), one per comment."""
    found = []
    for line, col, comment in _comments(text):
        if (match := _IGNORE.search(comment)) is not None:
            codes = frozenset(_CODE.findall(match["codes"].upper()))
            found.append(Suppression(line, codes, "ignore", col + match.start()))
        elif (match := _NOQA.search(comment)) is not None:
            codes = frozenset(_CODE.findall((match["codes"] or "").upper()))
            found.append(Suppression(line, codes, "noqa", col + match.start()))
    return tuple(found)


def _comments(text: str) -> list[tuple[int, int, str]]:
    if ("noqa" not in text and "loopdoctor:" not in text) or not _MAY_COUNT.search(text):
        return []
    try:
        return [(tok.start[0], tok.start[1], tok.string)
                for tok in tokenize.generate_tokens(io.StringIO(text).readline)
                if tok.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []


def apply(findings: list[Finding], suppressions: tuple[Suppression, ...],
          checked_codes: frozenset[str]) -> tuple[list[Finding], list[Suppression]]:
    """Findings left after suppression, and suppressions of checked LD codes that matched
    nothing (bare noqa and other tools' codes are never reported as unused)."""
    by_line: dict[int, list[Suppression]] = {}
    for suppression in suppressions:
        by_line.setdefault(suppression.line, []).append(suppression)
    used: set[tuple[int, str]] = set()
    kept = []
    for finding in findings:
        hit = None
        for line in {finding.line, finding.end_line}:
            for suppression in by_line.get(line, ()):
                if not suppression.codes or finding.code in suppression.codes:
                    hit = (suppression, finding.code)
        if hit is None:
            kept.append(finding)
        else:
            used.add((hit[0].line, hit[1]))
    unused = [
        Suppression(s.line, frozenset(c for c in s.codes
                                      if c in checked_codes and (s.line, c) not in used),
                    s.kind, s.col)
        for s in suppressions
    ]
    return kept, [s for s in unused if s.codes]
