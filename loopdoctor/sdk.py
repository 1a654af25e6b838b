"""Which OpenAI SDK stack is installed: openai 3.x on httpx2, or openai 2.x on httpx."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
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
    http_version: str
    httpcore_version: str

    @property
    def generation(self) -> int:
        return int(self.openai.split(".")[0])

    @property
    def label(self) -> str:
        core = "httpcore2" if self.http == "httpx2" else "httpcore"
        return (f"openai {self.openai} · {self.http} {self.http_version} · "
                f"{core} {self.httpcore_version}")

    def http_module(self) -> ModuleType:
        return importlib.import_module(self.http)


@cache
def detect() -> Stack:
    openai_version = _version("openai") or "0"
    import openai._base_client as base  # noqa: PLC0415 - only the stack check needs it

    http = "httpx2" if hasattr(base, "httpx2") else "httpx"
    core = "httpcore2" if http == "httpx2" else "httpcore"
    return Stack(openai_version, http, _version(http) or "?", _version(core) or "?")
