"""The rule table agrees everywhere: code, docs, ``explain``, ``list rules``, the README,
and the annotated cases (a positive and a negative for each rule)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loopdoctor.cli import app
from loopdoctor.scan.command import explain_text
from loopdoctor.scan.rules import ALL_RULES
from loopdoctor.scan.rules.base import Rule

ROOT = Path(__file__).parent.parent
CASES = Path(__file__).parent / "scan_cases"
BAD_INPUT_TESTS = Path(__file__).parent / "test_scan_bad_input.py"


def case_texts() -> list[str]:
    return [p.read_text() for p in sorted(CASES.rglob("*.py"))]


def readme_rule_rows() -> list[tuple[str, str, str]]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("<!-- scan:start -->")[1].split("<!-- scan:end -->")[0]
    return re.findall(r"^\| `?(LD\d{3})`? \| `?([a-z0-9-]+)`? \| (.+?) \|$", section,
                      re.MULTILINE)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_metadata_and_docs(rule: Rule) -> None:
    assert re.fullmatch(r"LD\d{3}", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", rule.name)
    assert "\n" not in rule.summary and rule.summary.endswith(".")
    for heading in ("## Why", "## Bad", "## Good", "## Fix"):
        assert heading in rule.doc, f"{rule.code} doc lacks {heading}"
    assert rule.doc in explain_text(rule)
    assert rule.check is not None or rule.collect is not None or rule.code in ("LD000", "LD001")


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_every_rule_has_a_positive_and_a_negative_case(rule: Rule) -> None:
    texts = case_texts()
    if rule.code == "LD000":
        assert '"LD000"' in BAD_INPUT_TESTS.read_text()
    else:
        assert any(re.search(rf"# error:.*\b{rule.code}\b", t) for t in texts)
    negatives = [t for t in texts if re.search(rf"# negative for:.*\b{rule.code}\b", t)]
    assert negatives or rule.code == "LD000", f"no case marked '# negative for: {rule.code}'"


def test_readme_table_matches_the_rules() -> None:
    assert readme_rule_rows() == [(r.code, r.name, r.summary) for r in ALL_RULES]


def test_list_rules_matches_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    result = CliRunner().invoke(app, ["list", "rules"])
    assert result.exit_code == 0
    rows = re.findall(r"(LD\d{3})\s*│\s*([a-z0-9-]+)\s*│", result.stdout)
    assert rows == [(r.code, r.name) for r in ALL_RULES]


def test_preview_rules_need_their_own_code_or_all() -> None:
    from loopdoctor.scan.config import selected_codes

    previews = {r.code for r in ALL_RULES if r.preview}
    assert previews == {"LD104", "LD203", "LD304"}
    assert not previews & selected_codes(["LD"], [], [])
    assert not previews & selected_codes(["LD1", "LD2", "LD3"], [], [])
    assert selected_codes(["LD203"], [], []) == {"LD203"}
    assert previews <= selected_codes(["ALL"], [], [])
    assert all(r.summary.startswith("(preview)") == r.preview for r in ALL_RULES)
