"""LD001: a ``# noqa: LDxxx`` or ``# loopdoctor: ignore[LDxxx]`` that suppresses nothing."""

from __future__ import annotations

from loopdoctor.scan.rules.base import Rule

RULE = Rule(
    code="LD001",
    name="unused-suppression",
    summary="A suppression comment for an LD code that no finding on its line needs.",
    doc="""\
## Why
Suppressions outlive the code they were written for. An unused one hides the next real
finding on that line. Only LD codes of rules that ran are judged; a bare `# noqa` and
other tools' codes are left alone.

## Bad
```python
client = OpenAI()  # noqa: LD301
```

## Good
```python
client = OpenAI()
```

## Fix
Delete the comment, or the stale code in it.
""",
)
