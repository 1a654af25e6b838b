"""What a rule is: metadata, docs, what it needs from a file's text, and its checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from loopdoctor.scan.context import FileContext
from loopdoctor.scan.model import EVERY_PYTHON, Candidate, FileFacts, Finding, Site
from loopdoctor.scan.project import Project


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    doc: str  # markdown: why it breaks, a bad and a good example, how to fix
    # The prefilter: a file is parsed only if, for some rule, each group has a substring
    # present in the file. Every finding of the rule needs these words in its files.
    needs: tuple[tuple[str, ...], ...] = ()
    needs_pattern: str | None = None  # and, when the words are there, this regex
    collect: Callable[[FileContext], Iterable[Candidate]] | None = None  # one file
    check: Callable[[Project], Iterable[Finding]] | None = None  # the whole project
    # Names defined in parsed files whose uses in other files can make this rule's findings
    # (a function a bridge elsewhere may run): files that mention them are parsed too.
    exports: Callable[[Project], Iterable[str]] | None = None
    # A shape the analyzer sees without evidence that a second loop meets the object: off
    # unless selected by its code (or ALL), because real code is too often fine.
    preview: bool = False

    def candidate(self, site: Site, message: str,
                  python_below: tuple[int, int] = EVERY_PYTHON) -> Candidate:
        return Candidate(self.code, site, message, python_below)

    def finding(self, file: FileFacts, site: Site, message: str) -> Finding:
        found = Finding.at(self.code, file.path, site, message)
        found.name = self.name
        return found
