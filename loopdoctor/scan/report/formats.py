"""Machine formats for scan: json (version 1), github, gitlab, junit. SARIF is in ``sarif.py``;
text in ``text.py``."""

from __future__ import annotations

import json

from loopdoctor.report import github, junit
from loopdoctor.scan import ScanResult

JSON_VERSION = 1


def to_json(result: ScanResult) -> str:
    findings = [
        {"code": f.code, "name": f.name, "path": f.path, "line": f.line, "column": f.column,
         "end_line": f.end_line, "end_column": f.end_column, "message": f.message,
         "fingerprint": f.fingerprint}
        for f in result.findings
    ]
    return json.dumps({"version": JSON_VERSION, "findings": findings,
                       "files_scanned": result.files_scanned,
                       "parse_errors": result.parse_errors}, indent=2) + "\n"


def to_github(result: ScanResult) -> str:
    return "".join(
        github.annotation("error", f.message, title=f"{f.code} {f.name}", file=f.path,
                          line=f.line, col=f.column, end_line=f.end_line,
                          end_column=f.end_column) + "\n"
        for f in result.findings
    )


def to_gitlab(result: ScanResult) -> str:
    """GitLab Code Quality report (a JSON array of issues)."""
    issues = [
        {"description": f"{f.code} {f.message}", "check_name": f.code,
         "fingerprint": f.fingerprint, "severity": "major",
         "location": {"path": f.path, "lines": {"begin": f.line, "end": f.end_line}}}
        for f in result.findings
    ]
    return json.dumps(issues, indent=2) + "\n"


def to_junit(result: ScanResult) -> str:
    cases = [
        junit.Case(classname=f.path, name=f"{f.code} at {f.line}:{f.column}",
                   failure=f"{f.code} {f.message}",
                   details=f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}")
        for f in result.findings
    ] or [junit.Case(classname="loopdoctor.scan", name=f"{result.files_scanned} files")]
    return junit.render("loopdoctor scan", cases)
