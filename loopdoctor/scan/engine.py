"""A project's findings: prefilter, parse in parallel (cached), join, check, suppress."""

from __future__ import annotations

import ast
import fnmatch
import gc
import os
import threading
import time
import tokenize
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from loopdoctor.scan import suppressions, timing
from loopdoctor.scan.cache import Cache
from loopdoctor.scan.config import Config
from loopdoctor.scan.context import FileContext
from loopdoctor.scan.facts import build_facts
from loopdoctor.scan.files import module_name, relative_to
from loopdoctor.scan.model import Candidate, FileFacts, Finding, Suppression
from loopdoctor.scan.prefilter import Mentions, Prefilter, mentions, words_of
from loopdoctor.scan.project import Project
from loopdoctor.scan.rules import ALL_RULES, BY_CODE
from loopdoctor.scan.rules.base import Rule
from loopdoctor.scan.rules.ld000_parse_error import parse_error
from loopdoctor.scan.session import Pending, ScanOptions

_PARALLEL_MIN_FILES = 24
_MAX_ROUNDS = 8
Pythons = tuple[tuple[int, int], tuple[int, int] | None]  # the oldest and newest Python
_ORPHAN_POLL_SECONDS = 0.5
_GC_THRESHOLD = (10_000, 10, 10)  # allocations between young collections (default 700)
_OLDEST_GRAMMAR = (3, 6)  # the last Python where ``async`` and ``await`` were names


def analyse_project(options: ScanOptions, pending: list[Pending],
                    unreadable: dict[Path, OSError], cache: Cache):
    """Parse what the prefilter wants, join, parse what the join finds relevant, check."""
    with _fewer_collections():
        return _analyse(options, pending, unreadable, cache)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Facts and the join are millions of small objects that live until the end; at the
    default threshold the cycle collector walks them again and again (a third of the CPU of
    a one-process cold scan of a real project). Processes forked meanwhile inherit it."""
    before = gc.get_threshold()
    gc.set_threshold(*_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


@contextmanager
def _join_phase(name: str) -> Iterator[None]:
    with _collector_paused(), timing.phase(name):
        yield


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The join, and the facts that come back from the workers, are millions of objects
    that live as long as the project and make little garbage: the collector would walk each
    of them again and again. What is alive after the block is frozen (never walked again);
    a replaced project is freed between rounds, and ``_fewer_collections`` thaws the rest.
    (A file parsed in this process keeps the collector: a syntax tree and its scopes are
    cycles, garbage once the facts are made.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class _Stage:
    """The rules whose needs and exports decide which files one join reads, and the
    selected codes checked on it."""

    rules: tuple[Rule, ...]
    checked: frozenset[str]


def _stages(codes: frozenset[str]) -> list[_Stage]:
    """Default rules are checked on the files every default rule pulls in, whatever else is
    selected; preview rules, when selected, on a join that adds the files every rule pulls
    in. (A default finding made of a file only a preview rule wants would come and go with
    the selection, and with what an earlier scan left in the cache.)"""
    preview = frozenset(rule.code for rule in ALL_RULES if rule.preview)
    default = _Stage(tuple(rule for rule in ALL_RULES if not rule.preview), codes - preview)
    whole = _Stage(ALL_RULES, codes & (preview | {"LD000"}))
    if not codes & preview:
        return [default]
    if not codes - preview - {"LD000"}:
        return [whole]  # preview rules only: no default finding to keep apart
    return [default, whole]


def _analyse(options: ScanOptions, pending: list[Pending],
             unreadable: dict[Path, OSError], cache: Cache):
    config = options.config
    extra_types, python = frozenset(config.loop_bound_types), (config.python,
                                                               config.newest_python)
    scanned = frozenset(_display(path) for path in [*(p.path for p in pending), *unreadable])
    facts = {str(path): _unreadable(path, exc) for path, exc in unreadable.items()}
    unparsed, parsed, hits, found = pending, 0, 0, []
    project = None
    for stage in _stages(options.codes):
        prefilter = Prefilter(stage.rules, [t.rsplit(".", 1)[-1] for t in config.loop_bound_types])
        first, unparsed, stage_hits, stage_parsed = _first_round(unparsed, cache, prefilter,
                                                                 options.jobs)
        facts.update(first)
        hits += stage_hits
        parsed += stage_parsed
        timing.count("files parsed, round 1", stage_parsed)
        project = _joined(project, facts, extra_types, python, scanned)
        for _ in range(_MAX_ROUNDS):
            with _join_phase("exports and mentions"):
                more = _mentioning(project, stage.rules, unparsed, cache)
            if not more:
                break
            with timing.phase("parse and facts, later rounds"):
                new, new_parsed = _facts_of(more, cache, options.jobs)
            parsed += new_parsed
            timing.count("files parsed, later rounds", new_parsed)
            timing.count("rounds", 1)
            facts.update((str(p.path), f) for p, f in zip(more, new, strict=True))
            unparsed = [p for p in unparsed if str(p.path) not in facts]
            project = _joined(project, facts, extra_types, python, scanned)
        with _join_phase("check"):
            found += _checked(project, stage.checked)
    parse_errors = sum(f.parse_error is not None for f in facts.values())
    return _reported(project, found, options.codes, config), parse_errors, parsed, hits


def _joined(old: Project | None, facts: dict[str, FileFacts], extra_types: frozenset[str],
            python: Pythons, scanned: frozenset[str]) -> Project:
    """A new join over the facts, the old one released first (freed by counting: a
    collection would walk every live fact)."""
    if old is not None:
        old.release()
    with _join_phase("join"):
        return _project(facts, extra_types, python, scanned)


def _project(facts: dict[str, FileFacts], extra_types: frozenset[str],
             python: Pythons, scanned: frozenset[str]) -> Project:
    """The join, over facts whose paths are shown as the user will see them; ``scanned``
    is every file of the scan, parsed or not, shown the same way."""
    return Project([replace(f, path=_display(Path(f.path))) for f in facts.values()],
                   extra_types, python[0], scanned, newest_python=python[1])


# -- reading and parsing ----------------------------------------------------------------


def _first_round(pending: list[Pending], cache: Cache, prefilter: Prefilter, jobs: int):
    """The files the prefilter wants, their facts (cached ones too), and the rest. A file's
    cached facts are its facts, not a reason to join it: an earlier scan with a wider
    selection, or a later round, may have parsed it."""
    facts: dict[str, FileFacts] = {}
    to_parse: list[Pending] = []
    unparsed: list[Pending] = []
    hits = 0
    for item in pending:
        verdict = (item.digest, prefilter.digest)
        wanted = cache.verdicts.get(verdict)
        if wanted is False:
            unparsed.append(item)
            hits += 1
            continue
        cached = cache.facts.get(item.key)
        if cached is not None and wanted:
            facts[str(item.path)] = cached
            hits += 1
            continue
        if item.data is None:
            item.data = _read(item.path)
        if item.data is not None and (problem := _unreadable_text(item)) is not None:
            facts[str(item.path)] = problem
            cache.remember_facts(item.key, problem)
            cache.remember_verdict(verdict, True)
        elif item.data is not None and prefilter.wants(item.data):
            cache.remember_verdict(verdict, True)
            if cached is not None:
                facts[str(item.path)] = cached
                hits += 1
            else:
                to_parse.append(item)
        else:
            cache.remember_verdict(verdict, False)
            unparsed.append(item)
    with timing.phase("parse and facts, round 1"):
        results = _parse_all(to_parse, cache, jobs)
    for item, result in zip(to_parse, results, strict=True):
        facts[str(item.path)] = result
    return facts, unparsed, hits, len(to_parse)


def _facts_of(pending: list[Pending], cache: Cache, jobs: int) -> tuple[list[FileFacts], int]:
    """Each file's facts, from the cache or parsed; and how many were parsed."""
    cached = [cache.facts.get(p.key) for p in pending]
    parsed = iter(_parse_all([p for p, c in zip(pending, cached, strict=True) if c is None],
                             cache, jobs))
    return [c if c is not None else next(parsed) for c in cached], sum(c is None for c in cached)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _unreadable_text(item: Pending) -> FileFacts | None:
    """Cheap checks every file gets, parsed or not: a NUL byte, bytes that do not decode.
    (A syntax error is only seen in files the prefilter sends to the parser.)"""
    data = item.data or b""
    if b"\0" in data:
        message = "cannot parse: the file contains a NUL byte"
    else:
        try:
            _decode(data, errors="strict")
            return None
        except (UnicodeDecodeError, LookupError, SyntaxError) as exc:
            message = f"cannot decode: {exc}"
    return FileFacts(str(item.path), item.module,
                     parse_error=parse_error(str(item.path), message))


def _unreadable(path: Path, exc: OSError) -> FileFacts:
    reason = exc.strerror or type(exc).__name__
    return FileFacts(str(path), module_name(path),
                     parse_error=parse_error(str(path), f"cannot read: {reason}"))


def _mentioning(project: Project, rules: tuple[Rule, ...], unparsed: list[Pending],
                cache: Cache) -> list[Pending]:
    """Unparsed files that mention a name the project's findings may flow through."""
    matcher = mentions(_interesting_names(project, rules), project.ancestors)
    if matcher is None:
        return []
    found = []
    for pending in unparsed:
        if cache.verdicts.get((pending.digest, matcher.digest)) is False:
            continue
        if _mentions(matcher, pending):
            found.append(pending)
        else:
            cache.remember_verdict((pending.digest, matcher.digest), False)
    return found


def _mentions(matcher: Mentions, pending: Pending) -> bool:
    """Does an unparsed file mention one of the matcher's names? (Its words are kept.)"""
    if pending.data is None:
        pending.data = _read(pending.path)
    if pending.data is not None and pending.words is None:
        pending.words = words_of(pending.data)
    return pending.data is not None and matcher.matches(pending.data, pending.words)


def _interesting_names(project: Project, rules: tuple[Rule, ...]) -> set[str]:
    """Qualified names that the rules need to see used in other files."""
    # In rule order, each shared one once: the join's memo and budget see one order of
    # questions on every run, and the check after the last round inherits them.
    exports = dict.fromkeys(rule.exports for rule in rules if rule.exports)
    return {name for export in exports for name in export(project)}


def _parse_all(pending: list[Pending], cache: Cache, jobs: int) -> list[FileFacts]:
    work = [(str(p.path), p.module, p.data or b"", dict(p.renames)) for p in pending]
    workers = jobs or os.cpu_count() or 1
    if workers > 1 and len(work) >= _PARALLEL_MIN_FILES:
        from concurrent.futures import ProcessPoolExecutor  # a warm run never needs it

        gc.freeze()  # what the workers inherit: their collections never touch (and copy) it
        with _collector_paused(), ProcessPoolExecutor(max_workers=workers,
                                                      initializer=_start_worker) as pool:
            chunk = max(1, len(work) // (8 * workers))
            results = list(pool.map(_analyze_job, work, chunksize=chunk))
    else:
        results = [_analyze_job(item) for item in work]
    for p, result in zip(pending, results, strict=True):
        cache.remember_facts(p.key, result)
    return results


def _start_worker() -> None:
    """A pool worker collects its garbage, and ends once the process that forked it has:
    a scan killed by a CI timeout would otherwise leave its workers waiting for work."""
    gc.enable()
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_ORPHAN_POLL_SECONDS)
    os._exit(1)


def _analyze_job(item: tuple[str, str, bytes, dict[str, str]]) -> FileFacts:
    return analyze(*item)


def analyze(path: str, module: str, data: bytes,
            renames: dict[str, str] | None = None) -> FileFacts:
    """Facts of one file; a file that cannot be parsed (or analysed) is an LD000 finding.
    (``renames``: the top-level names its absolute imports name apart, ``naming.apart``.)"""
    try:
        tree = _parse(data, path)
    except SyntaxError as exc:
        return FileFacts(path, module, parse_error=_syntax_error(path, exc))
    except (ValueError, MemoryError, RecursionError) as exc:
        return FileFacts(path, module, parse_error=parse_error(path, _parser_gave_up(exc)))
    text = _decode(data)
    try:
        ctx = FileContext(tree, text.splitlines(), module, path, renames)
        facts = build_facts(ctx)
        candidates = tuple(c for rule in ALL_RULES if rule.collect for c in rule.collect(ctx))
    except RecursionError:
        return FileFacts(path, module, parse_error=parse_error(
            path, "cannot analyse: expressions nested too deeply"))
    except Exception as exc:  # a bug in one analysis must not cost the other files
        return FileFacts(path, module, parse_error=parse_error(
            path, f"cannot analyse (internal error, please report): {type(exc).__name__}: {exc}"))
    return replace(facts, candidates=candidates, suppressions=suppressions.parse(text))


def _parse(data: bytes, path: str) -> ast.Module:
    """The file's syntax tree; code written for Python 3.6 or older, where ``async`` was
    still a name (``asyncio.async(coro)``), parses with that grammar. Its error otherwise."""
    try:
        return ast.parse(data, filename=path)
    except SyntaxError as exc:
        try:
            return ast.parse(data, filename=path, feature_version=_OLDEST_GRAMMAR)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            raise exc from None


def _syntax_error(path: str, exc: SyntaxError) -> Candidate:
    message = exc.msg
    if "codec can't decode" in message:
        message = message.replace("(unicode error) ", "")
        return parse_error(path, f"cannot decode: {message}", exc.lineno or 1)
    if "null bytes" in message:
        return parse_error(path, "cannot parse: the file contains a NUL byte")
    return parse_error(path, f"cannot parse: {message}", exc.lineno or 1, (exc.offset or 1) - 1)


def _parser_gave_up(exc: BaseException) -> str:
    if isinstance(exc, ValueError) and "null bytes" in str(exc):
        return "cannot parse: the file contains a NUL byte"
    if isinstance(exc, (MemoryError, RecursionError)):
        return "cannot parse: expressions nested too deeply for Python's parser"
    return f"cannot parse: {exc}"


def _decode(data: bytes, errors: str = "replace") -> str:
    """The text, in the encoding its coding cookie or BOM declares (UTF-8 otherwise)."""
    lines = iter(data.splitlines(keepends=True)[:2])
    try:
        encoding, _ = tokenize.detect_encoding(lambda: next(lines, b""))
    except SyntaxError:
        encoding = "utf-8"  # undecodable first lines: let the decoder name the bad byte
    return data.decode(encoding, errors=errors)


# -- checking ---------------------------------------------------------------------------


def _checked(project: Project, codes: frozenset[str]) -> list[Finding]:
    """The findings of these codes on a join: its files' own candidates, then the rules'."""
    found = [_from_candidate(file, candidate) for file in project.files
             for candidate in [file.parse_error, *file.candidates]
             if candidate is not None and candidate.code in codes
             and project.python < candidate.python_below]
    for rule in ALL_RULES:
        if rule.check is not None and rule.code in codes:
            found += rule.check(project)
    return found


def _reported(project: Project, found: list[Finding], codes: frozenset[str],
              config: Config) -> list[Finding]:
    """The findings minus per-file ignores and suppression comments, plus LD001 for
    suppressions that suppressed nothing."""
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for finding in found:
        by_path[finding.path].append(finding)
    findings = []
    for file in project.files:
        kept = [f for f in _dedupe(by_path.get(file.path, []))
                if not _ignored_for_file(f, file.path, config)]
        kept, unused = suppressions.apply(kept, file.suppressions, codes)
        findings += kept
        if "LD001" in codes:
            findings += [_unused(file, s) for s in unused]
    return findings


def _from_candidate(file: FileFacts, candidate: Candidate) -> Finding:
    finding = Finding.at(candidate.code, file.path, candidate.site, candidate.message)
    finding.name = BY_CODE[candidate.code].name
    return finding


def _unused(file: FileFacts, suppression: Suppression) -> Finding:
    rule = BY_CODE["LD001"]
    codes = ", ".join(sorted(suppression.codes))
    return Finding(rule.code, file.path, suppression.line, suppression.col + 1,
                   suppression.line, suppression.col + 1,
                   f"unused suppression: no {codes} finding on this line", name=rule.name)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        key = (f.code, f.line, f.column)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _ignored_for_file(finding: Finding, path: str, config: Config) -> bool:
    relative = relative_to(os.path.abspath(path), config.root)
    for pattern, codes in config.per_file_ignores.items():
        matched = fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(Path(relative).name,
                                                                           pattern)
        if matched and any(finding.code.startswith(c) or c == "ALL" for c in codes):
            return True
    return False


def _display(path: Path) -> str:
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()
