"""JUnit XML, shared by run (a test case per cell) and scan (a test case per finding/file)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    classname: str
    name: str
    seconds: float = 0.0
    failure: str | None = None  # the failure's one-line message; None when it passed
    details: str = ""  # the failure's body
    skipped: str | None = None


def render(suite: str, cases: list[Case]) -> str:
    failures = sum(c.failure is not None for c in cases)
    skipped = sum(c.skipped is not None for c in cases)
    root = ET.Element("testsuites")
    node = ET.SubElement(
        root, "testsuite", name=suite, tests=str(len(cases)), failures=str(failures),
        errors="0", skipped=str(skipped), time=f"{sum(c.seconds for c in cases):.3f}",
    )
    for case in cases:
        element = ET.SubElement(node, "testcase", classname=case.classname, name=case.name,
                                time=f"{case.seconds:.3f}")
        if case.failure is not None:
            ET.SubElement(element, "failure", message=case.failure).text = case.details
        elif case.skipped is not None:
            ET.SubElement(element, "skipped", message=case.skipped)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
