"""LD000: a file that cannot be read, decoded or parsed."""

from __future__ import annotations

from loopdoctor.scan.model import Candidate, Site
from loopdoctor.scan.rules.base import Rule

RULE = Rule(
    code="LD000",
    name="parse-error",
    summary="A file that cannot be read, decoded or parsed; the scan goes on without it.",
    doc="""\
## Why
A file the parser rejects cannot be checked, so it is reported rather than skipped in
silence. The message is the reader's or parser's own (syntax error with its line,
invalid UTF-8, a NUL byte, nesting too deep for the parser, permission denied).

## Bad
```python
def broken(:
    ...
```

## Good
```python
def fixed():
    ...
```

## Fix
Fix the file, or exclude it (`exclude = ["generated/"]` in `[tool.loopdoctor]`).
""",
)


def parse_error(path: str, message: str, line: int = 1, col: int = 0) -> Candidate:
    return RULE.candidate(Site(max(line, 1), max(col, 0), max(line, 1), max(col, 0), "", ""),
                          message)
