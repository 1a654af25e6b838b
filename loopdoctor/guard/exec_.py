"""``loopdoctor exec -- CMD...``: run a command with the guard on in every Python process it starts.

A temporary directory holding a ``sitecustomize.py`` goes first on PYTHONPATH, so every Python
child and grandchild installs the guard at start-up (lazily: httpx is patched when imported,
never imported for it). Each foreign use is appended to an events file there; the command's
exit code passes through, and a summary is printed at the end. The directory is removed after.
Interpreters started with -I, -E or -S skip the bootstrap.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from loopdoctor.guard.runtime import EVENTS_ENV, MODE_ENV, ForeignUse, relative

EVENTS_FILE = "events.jsonl"
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


def run(command: list[str], warn: bool = False, echo: Callable[[str], None] = print) -> int:
    """Run ``command`` guarded; return its exit code (128+N when signal N ended it)."""
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
    return 128 - returncode if returncode < 0 else returncode


def _child_env(boot: str, warn: bool) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [boot, env.get("PYTHONPATH")]))
    env[EVENTS_ENV] = str(Path(boot) / EVENTS_FILE)
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
    """One line when nothing happened; one more line per distinct foreign use otherwise."""
    processes = _lines(boot / PROCESSES_FILE)
    events = [ForeignUse(**json.loads(line)) for line in _lines(boot / EVENTS_FILE)]
    head = f"loopdoctor exec: guard on in {len(processes)} Python process(es)"
    if not events:
        return f"{head}; no cross-loop use"
    counts = Counter(
        (e.kind, e.created_at, e.used_at, "closed" if e.owner_closed else "running")
        for e in events
    )
    lines = [f"{head}; {len(events)} cross-loop use(s):"]
    for (kind, created_at, used_at, owner_state), count in counts.most_common():
        lines.append(
            f"  {count}x {kind} created at {relative(created_at)}, used at {relative(used_at)} "
            f"from a loop other than its owner ({owner_state})"
        )
    return "\n".join(lines)


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []
