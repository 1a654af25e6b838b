"""SARIF 2.1.0, as GitHub code scanning accepts it (upload-sarif)."""

from __future__ import annotations

import json

from loopdoctor import __version__
from loopdoctor.scan import ScanResult
from loopdoctor.scan.rules import ALL_RULES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/loopdoctor/loopdoctor"


def render(result: ScanResult) -> str:
    index = {rule.code: i for i, rule in enumerate(ALL_RULES)}
    run = {
        "tool": {"driver": {
            "name": "loopdoctor", "version": __version__, "informationUri": INFORMATION_URI,
            "rules": [_rule(rule) for rule in ALL_RULES],
        }},
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {"%SRCROOT%": {"uri": "./"}},
        "results": [
            {
                "ruleId": f.code, "ruleIndex": index[f.code], "level": "error",
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": f.line, "startColumn": f.column,
                               "endLine": f.end_line,
                               "endColumn": max(f.end_column, f.column)},
                }}],
                "partialFingerprints": {"loopdoctorFingerprint/v1": f.fingerprint},
            }
            for f in result.findings
        ],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _rule(rule) -> dict:
    return {
        "id": rule.code, "name": _pascal(rule.name),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["asyncio", "concurrency"], "precision": "high"},
    }


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))
