"""Which OpenAI SDK stack is installed: openai 3.x on httpx2, or openai 2.x on httpx."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, requires, version
from types import ModuleType


def _version(dist: str) -> str | None:
    try:
        return version(dist)
    except PackageNotFoundError:
        return None


@dataclass(frozen=True)
class Stack:
    openai: str
    http: str  # the HTTP library the SDK's async client is built on: "httpx2" or "httpx"

    @property
    def generation(self) -> int:
        return int(self.openai.split(".")[0])

    @property
    def core(self) -> str:
        """The connection-pool library under ``http``."""
        return "httpcore2" if self.http == "httpx2" else "httpcore"

    @property
    def label(self) -> str:
        return (f"openai {self.openai} · {self.http} {_version(self.http) or '?'} · "
                f"{self.core} {_version(self.core) or '?'}")

    def http_module(self) -> ModuleType:
        return importlib.import_module(self.http)


def _http_dependency() -> str:
    """The HTTP library openai's metadata requires (read, not imported: importing openai takes
    a second the CLI need not spend)."""
    try:
        required = requires("openai") or []
    except PackageNotFoundError:
        required = []
    for requirement in required:
        name = re.match(r"[A-Za-z0-9._-]*", requirement).group().lower()
        if name in ("httpx2", "httpx") and "extra ==" not in requirement:
            return name
    return "httpx"


@cache
def detect() -> Stack:
    return Stack(_version("openai") or "0", _http_dependency())
