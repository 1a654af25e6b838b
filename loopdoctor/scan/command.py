"""What ``loopdoctor scan`` and ``loopdoctor explain`` do, behind the thin typer layer."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from loopdoctor.scan import baseline as baselines
from loopdoctor.scan.config import (
    Config,
    ConfigError,
    check_selector,
    check_target,
    discover,
    load,
)
from loopdoctor.scan.files import MissingPath
from loopdoctor.scan.session import ScanOptions, ScanResult, scan

if TYPE_CHECKING:
    from loopdoctor.scan.rules.base import Rule

CACHE_FOLDER = ".loopdoctor_cache"


class UsageError(Exception):
    """Bad input from the user: one line on stderr, exit code 2."""


@dataclass
class ScanRequest:
    paths: list[str]
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    output_format: str = "text"
    output: Path | None = None
    statistics: bool = False
    show_source: bool = False
    exit_zero: bool = False
    baseline: Path | None = None
    write_baseline: Path | None = None
    jobs: int = 0
    no_cache: bool = False
    cache_dir: Path | None = None
    exclude: list[str] = field(default_factory=list)
    force_exclude: bool = False
    respect_gitignore: bool = True
    config: Path | None = None
    target_version: str | None = None  # over the config's
    newest_version: str | None = None  # over the config's


def run_scan(request: ScanRequest) -> int:
    """Scan, render, write; the exit code (0 clean, 1 findings). Raises UsageError."""
    result = _scan(request)
    if result.files_scanned == 0:
        print(f"loopdoctor: warning: no Python files found in {' '.join(request.paths)}",
              file=sys.stderr)
    if request.write_baseline is not None:
        baselines.write(request.write_baseline, result.findings)
        print(f"wrote {len(result.findings)} findings to {request.write_baseline}",
              file=sys.stderr)
        return 0
    _emit(request, result)
    return 1 if result.findings and not request.exit_zero else 0


def _scan(request: ScanRequest) -> ScanResult:
    paths = request.paths or ["."]
    try:
        config = load(request.config) if request.config else discover(paths)
        for selector in [*(request.select or []), *request.ignore, *request.extend_select]:
            check_selector(selector)
        if request.target_version is not None:
            check_target(request.target_version)
            config.target_version = request.target_version
        if request.newest_version is not None:
            check_target(request.newest_version, "--newest-version")
            config.newest_version = request.newest_version
        known = baselines.read(request.baseline) if request.baseline else None
        options = ScanOptions(
            paths=paths, config=config, select=request.select, ignore=request.ignore,
            extend_select=request.extend_select, jobs=request.jobs,
            cache_dir=None if request.no_cache else _cache_dir(request, config),
            force_exclude=request.force_exclude, extra_excludes=request.exclude,
            respect_gitignore=request.respect_gitignore, baseline=known,
        )
        return scan(options)
    except (ConfigError, baselines.BaselineError) as exc:
        raise UsageError(str(exc)) from None
    except MissingPath as exc:
        raise UsageError(f"path does not exist: {exc}") from None


def _cache_dir(request: ScanRequest, config: Config) -> Path:
    return request.cache_dir or config.root / CACHE_FOLDER


def _emit(request: ScanRequest, result: ScanResult) -> None:
    from rich.console import Console

    to_file = request.output is not None
    buffer = io.StringIO()
    console = Console(file=buffer if to_file else sys.stdout, no_color=to_file or None,
                      highlight=False, soft_wrap=True,
                      force_terminal=False if to_file else None)
    if request.output_format == "text":
        from loopdoctor.scan.report import text as scan_text

        if request.statistics:
            scan_text.render_statistics(result, console)
        else:
            scan_text.render(result, console, show_source=request.show_source)
        text = buffer.getvalue()
    else:
        text = _machine(request.output_format, result)
        if not to_file:
            sys.stdout.write(text)
    if to_file:
        try:
            request.output.write_text(text)
        except OSError as exc:
            raise UsageError(f"cannot write {request.output}: {exc.strerror}") from None


def _machine(output_format: str, result: ScanResult) -> str:
    from loopdoctor.scan.report import formats as scan_formats
    from loopdoctor.scan.report import sarif

    renderers = {"json": scan_formats.to_json, "sarif": sarif.render,
                 "github": scan_formats.to_github, "gitlab": scan_formats.to_gitlab,
                 "junit": scan_formats.to_junit}
    return renderers[output_format](result)


def find_rule(code_or_name: str) -> Rule:
    from loopdoctor.scan.rules import ALL_RULES, BY_CODE

    wanted = code_or_name.strip()
    rule = BY_CODE.get(wanted.upper()) or next(
        (r for r in ALL_RULES if r.name == wanted.lower()), None)
    if rule is None:
        raise UsageError(f"unknown rule '{code_or_name}' (see `loopdoctor list rules`)")
    return rule


def explain_text(rule: Rule) -> str:
    return f"# {rule.code} {rule.name}\n\n{rule.summary}\n\n{rule.doc}"

