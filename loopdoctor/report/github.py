"""GitHub Actions workflow commands (``::error file=...::message``), shared by run and scan."""

from __future__ import annotations


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: str,
    message: str,
    *,
    title: str | None = None,
    file: str | None = None,
    line: int | None = None,
    col: int | None = None,
    end_line: int | None = None,
    end_column: int | None = None,
) -> str:
    """One ``::error``/``::warning``/``::notice`` line."""
    props = {"file": file, "line": line, "col": col, "endLine": end_line,
             "endColumn": end_column, "title": title}
    rendered = ",".join(
        f"{key}={_escape_property(str(value))}" for key, value in props.items() if value is not None
    )
    return f"::{level}{' ' + rendered if rendered else ''}::{_escape_data(message)}"
