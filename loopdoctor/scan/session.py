"""One scan: the files and their content hashes, then the findings of exactly that project,
from the cache or from the engine, then the baseline and the order.

A warm scan (nothing changed) reads, parses and joins nothing, and imports none of the
analyzer: only this module, file discovery, the config and the cache. The engine, and with it
the rules and the join, is imported when the cache does not have the answer.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from loopdoctor.scan import baseline as baselines
from loopdoctor.scan import naming, timing
from loopdoctor.scan.cache import Cache, content_hash
from loopdoctor.scan.config import Config, selected_codes
from loopdoctor.scan.files import Discovery, module_name, relative_to
from loopdoctor.scan.finding import Finding


@dataclass
class ScanOptions:
    paths: list[str]
    config: Config
    select: list[str] | None = None  # command line, over the config
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    jobs: int = 0  # 0: one per core
    cache_dir: Path | None = None  # None: no cache
    force_exclude: bool = False
    extra_excludes: list[str] = field(default_factory=list)
    respect_gitignore: bool = True
    baseline: set[str] | None = None

    @property
    def selectors(self) -> tuple[list[str], list[str], list[str]]:
        """select, ignore, extend-select: the config's, with the command line's over them."""
        cfg = self.config
        select = self.select if self.select is not None else cfg.select
        return select, [*cfg.ignore, *self.ignore], [*cfg.extend_select, *self.extend_select]

    @property
    def codes(self) -> frozenset[str]:
        return selected_codes(*self.selectors)


@dataclass
class ScanResult:
    findings: list[Finding]
    files_scanned: int
    parse_errors: int
    files_parsed: int = 0
    cache_hits: int = 0
    baselined: int = 0
    seconds: float = 0.0


@dataclass
class Pending:
    """A file to scan, known by its content hash."""

    path: Path
    module: str
    digest: str
    data: bytes | None  # None when known from the cache without reading
    words: frozenset[bytes] | None = None  # kept for the rounds after the first
    renames: tuple[tuple[str, str], ...] = ()  # tops its absolute imports name apart (naming)

    @property
    def key(self) -> tuple[str, str, str]:
        """What its facts depend on: the file, its name and imports' names, its content."""
        named = f"{self.module}|{self.renames}" if self.renames else self.module
        return str(self.path), named, self.digest


def scan(options: ScanOptions) -> ScanResult:
    started = time.perf_counter()
    config = options.config
    discovery = Discovery(config.root, [*config.exclude, *options.extra_excludes],
                          options.force_exclude, options.respect_gitignore)
    with timing.phase("discover"):
        paths = discovery.files(options.paths)
    with timing.phase("cache load"):
        cache = Cache(options.cache_dir)
    with timing.phase("stat and hash"):
        pending, unreadable = _hash_files(paths, cache)
    with timing.phase("module names"):
        _name_modules(pending, options.paths, cache)
    key = _result_key(options, pending, unreadable)
    if key in cache.results:
        findings, parse_errors = cache.results[key]
        parsed, hits = 0, len(paths)
    else:
        from loopdoctor.scan.engine import analyse_project

        findings, parse_errors, parsed, hits = analyse_project(options, pending, unreadable,
                                                               cache)
        cache.remember_result(key, (findings, parse_errors))
    with timing.phase("cache save"):
        cache.save()
    findings, baselined = _finish([_untagged(f) for f in findings], options)
    timing.count("scan", time.perf_counter() - started)
    timing.write()
    return ScanResult(findings, len(paths), parse_errors, parsed, hits, baselined,
                      time.perf_counter() - started)


def _untagged(finding: Finding) -> Finding:
    """A copy, with names as people write them (``naming.apart``'s tags left out)."""
    return replace(finding, message=naming.untagged(finding.message),
                   scope=naming.untagged(finding.scope), name=naming.untagged(finding.name))


def _finish(findings: list[Finding], options: ScanOptions) -> tuple[list[Finding], int]:
    """Fingerprinted, minus the baseline's (and how many those were), in order."""
    root = options.config.root
    baselines.assign_fingerprints(findings, lambda p: relative_to(os.path.abspath(p), root))
    kept = findings
    if options.baseline is not None:
        kept = [f for f in findings if f.fingerprint not in options.baseline]
    return sorted(kept, key=lambda f: f.sort_key), len(findings) - len(kept)


def _result_key(options: ScanOptions, pending: list[Pending],
                unreadable: dict[Path, OSError]) -> str:
    """Everything the findings depend on: file contents, selection, config, where we are.
    (The analyzer's version is in the cache's file name.)"""
    config = options.config
    parts = [os.getcwd(), str(config.root), repr(options.selectors),
             repr(sorted(config.loop_bound_types)), repr(sorted(config.per_file_ignores.items())),
             repr((config.target_version, config.requires_python, config.newest_version)),
             *("|".join(p.key) for p in pending),
             *(f"{path}|unreadable" for path in unreadable)]
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


def _name_modules(pending: list[Pending], given: list[str], cache: Cache) -> None:
    """Names that folders without ``__init__.py`` leave open, decided by the project's
    absolute imports (``naming``); remembered for exactly these paths and contents. Then
    files that share a name are named apart."""
    _decide_names(pending, given, cache)
    renamed, imports = naming.apart({p.path: p.module for p in pending})
    for item in pending:
        item.module = renamed.get(item.path, item.module)
        if item.path in imports:
            item.renames = tuple(sorted(imports[item.path].items()))


def _decide_names(pending: list[Pending], given: list[str], cache: Cache) -> None:
    roots = [Path(os.path.abspath(p)) for p in given if os.path.isdir(p)]
    scan_roots = naming.ambiguous([p.path for p in pending], roots)
    if not scan_roots:
        return
    lines = [*(str(r) for r in roots), *(f"{p.path}|{p.digest}" for p in pending)]
    key = hashlib.blake2b("\n".join(lines).encode(), digest_size=16).hexdigest()
    names = cache.names.get(key)
    if names is None:
        by_path = {p.path: p for p in pending}
        decided = naming.decide(scan_roots, by_path, lambda path: _imports(by_path[path]))
        names = {str(path): name for path, name in decided.items()}
        cache.remember_names(key, names)
    for item in pending:
        item.module = names.get(str(item.path), item.module)


def _imports(item: Pending) -> set[str]:
    if item.data is None:
        try:
            item.data = item.path.read_bytes()  # kept: the engine reads it no more
        except OSError:
            return set()
    return naming.absolute_imports(item.data)


def _hash_files(paths: list[Path], cache: Cache) -> tuple[list[Pending], dict[Path, OSError]]:
    """Each file's content hash, from the cache's stat index when the file is unchanged."""
    pending: list[Pending] = []
    unreadable: dict[Path, OSError] = {}
    for path in paths:
        try:
            stat = path.stat()
            digest = cache.known_hash(str(path), stat)
            data = None
            if digest is None:
                data = path.read_bytes()
                digest = content_hash(data)
                cache.remember_stat(str(path), stat, digest)
        except OSError as exc:
            unreadable[path] = exc
            continue
        pending.append(Pending(path, module_name(path), digest, data))
    return pending, unreadable
