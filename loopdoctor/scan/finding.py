"""What a scan reports. In a module of its own, apart from the per-file facts: a warm scan
unpickles its findings from the cache and needs this class, and none of the others."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from loopdoctor.scan.model import Site


@dataclass
class Finding:
    code: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    scope: str = ""
    text: str = ""
    fingerprint: str = ""
    name: str = ""

    @classmethod
    def at(cls, code: str, path: str, site: Site, message: str) -> Finding:
        return cls(code, path, site.line, site.col + 1, site.end_line, site.end_col + 1,
                   message, site.scope, site.text)

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)
