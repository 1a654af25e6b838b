"""``loopdoctor exec -- CMD...``: run a command with the guard on in every Python process it starts.

A temporary directory holding a ``sitecustomize.py`` goes first on PYTHONPATH, so every Python
child and grandchild installs the guard at start-up (lazily: httpx is patched when imported,
never imported for it). Each foreign use (and each error of the guard itself) is appended to
a file there; a summary with the message of each distinct use is printed at the end. The
command's exit code passes through, except that by default a run with a cross-loop use exits 1
even when the command exited 0 (a library may have swallowed the error); in warn mode, or with
``fail_on_use=False``, the command's own code is kept. The directory is removed after.
Interpreters started with -I, -E or -S skip the bootstrap.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from loopdoctor.guard.runtime import ERRORS_ENV, EVENTS_ENV, MODE_ENV, ForeignUse, relative

EVENTS_FILE = "events.jsonl"
ERRORS_FILE = "errors.jsonl"
PROCESSES_FILE = "processes"

BOOTSTRAP = f'''\
"""loopdoctor exec: the guard on in this Python process; then any sitecustomize this one hides."""


def _loopdoctor_bootstrap():
    import importlib.machinery
    import importlib.util
    import os
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    try:
        from loopdoctor import guard
    except ImportError:  # an interpreter without loopdoctor: it runs unguarded
        pass
    else:
        guard.install()
        guard.append_line(os.path.join(here, {PROCESSES_FILE!r}), str(os.getpid()))
    others = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", others)
    if spec is not None and spec.loader is not None:
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


_loopdoctor_bootstrap()
'''


OPTIONS = {"--warn": ("warn", True), "--fail-on-use": ("fail_on_use", True),
           "--no-fail-on-use": ("fail_on_use", False)}


def parse_options(args: list[str]) -> tuple[list[str], dict[str, bool]] | None:
    """The command and ``run``'s options from ``exec``'s arguments (options, ``--``, command);
    None when they need the full CLI: help, an unknown option, no command."""
    options = {}
    while args and args[0] in OPTIONS:
        name, value = OPTIONS[args[0]]
        options[name] = value
        args = args[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    elif args[:1] and args[0].startswith("-"):
        return None
    return (args, options) if args else None


def run(command: list[str], warn: bool = False, echo: Callable[[str], None] = print,
        fail_on_use: bool | None = None) -> int:
    """Run ``command`` guarded; return its exit code (128+N when signal N ended it), or 1 when
    it exited 0 but used a loop-bound object from a foreign loop and ``fail_on_use`` (by
    default: unless ``warn``)."""
    fail_on_use = not warn if fail_on_use is None else fail_on_use
    with tempfile.TemporaryDirectory(prefix="loopdoctor-exec-") as boot:
        (Path(boot) / "sitecustomize.py").write_text(BOOTSTRAP)
        try:
            process = subprocess.Popen(command, env=_child_env(boot, warn))
        except FileNotFoundError:
            echo(f"loopdoctor exec: {command[0]}: command not found")
            return 127
        except PermissionError:
            echo(f"loopdoctor exec: {command[0]}: permission denied")
            return 126
        returncode = _wait(process)
        echo(summary(Path(boot)))
        used_across_loops = (Path(boot) / EVENTS_FILE).exists()
    if returncode < 0:
        return 128 - returncode
    if returncode == 0 and used_across_loops and fail_on_use:
        echo("loopdoctor exec: exit 1: the command exited 0 after a cross-loop use "
             "(--no-fail-on-use keeps its own exit code)")
        return 1
    return returncode


def _child_env(boot: str, warn: bool) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [boot, env.get("PYTHONPATH")]))
    env[EVENTS_ENV] = str(Path(boot) / EVENTS_FILE)
    env[ERRORS_ENV] = str(Path(boot) / ERRORS_FILE)
    if warn:
        env[MODE_ENV] = "warn"
    return env


def _wait(process: subprocess.Popen[bytes]) -> int:
    """Wait for the child; Ctrl-C reaches it directly (same process group), so keep waiting."""
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue


def summary(boot: Path) -> str:
    """One line when nothing happened; otherwise a line per distinct foreign use and the
    message of each, and the count of the guard's own errors."""
    processes = _lines(boot / PROCESSES_FILE)
    events = [ForeignUse(**json.loads(line)) for line in _lines(boot / EVENTS_FILE)]
    errors = [json.loads(line)["error"] for line in _lines(boot / ERRORS_FILE)]
    head = f"loopdoctor exec: guard on in {len(processes)} Python process(es)"
    head += f"; {len(events)} cross-loop use(s)" if events else "; no cross-loop use"
    if errors:
        head += (f"; the guard itself failed {len(errors)} time(s) (those calls went on "
                 f"unchecked), first: {errors[0]}")
    if not events:
        return head
    distinct: dict[tuple[str, str, str, str], list[ForeignUse]] = {}
    for event in events:
        owner_state = "closed" if event.owner_closed else "running"
        distinct.setdefault((event.kind, event.created_at, event.used_at, owner_state),
                            []).append(event)
    lines = [f"{head}:"]
    for (kind, created_at, used_at, owner_state), same in distinct.items():
        lines.append(
            f"  {len(same)}x {kind} created at {relative(created_at)}, used at "
            f"{relative(used_at)} from a loop other than its owner ({owner_state})"
        )
    messages = dict.fromkeys(same[0].message for same in distinct.values() if same[0].message)
    lines.extend(f"\nCrossLoopError: {message}" for message in messages)
    return "\n".join(lines)


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []
