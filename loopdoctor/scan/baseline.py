"""Fingerprints that survive unrelated edits, and baseline files built from them.

A fingerprint hashes the rule, the file, the enclosing function and the finding's own
line text (whitespace-normalised), plus its rank among identical ones: lines added above a
finding do not change it; editing the finding's line does.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from loopdoctor.scan.finding import Finding

_VERSION = 1


def assign_fingerprints(findings: list[Finding], stable_path: Callable[[str], str]) -> None:
    """``stable_path``: the path as the project knows it, whatever the current folder."""
    seen: Counter[tuple[str, ...]] = Counter()
    for finding in sorted(findings, key=lambda f: f.sort_key):
        key = (finding.code, stable_path(finding.path), finding.scope,
               " ".join(finding.text.split()))
        seen[key] += 1
        raw = "\0".join([*key, str(seen[key])])
        finding.fingerprint = hashlib.sha256(raw.encode()).hexdigest()[:20]


def write(path: Path, findings: list[Finding]) -> None:
    entries = [{"fingerprint": f.fingerprint, "code": f.code, "path": f.path,
                "message": f.message} for f in sorted(findings, key=lambda f: f.sort_key)]
    path.write_text(json.dumps({"version": _VERSION, "findings": entries}, indent=2) + "\n")


class BaselineError(Exception):
    pass


def read(path: Path) -> set[str]:
    try:
        data = json.loads(path.read_text())
        return {entry["fingerprint"] for entry in data["findings"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc}") from None
