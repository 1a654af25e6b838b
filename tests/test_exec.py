"""``loopdoctor exec``: the guard in every Python child, the exit code passed through."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from loopdoctor.endpoint.server import Endpoint
from loopdoctor.guard import exec_

pytestmark = pytest.mark.timeout(60)

# A shared client reused by a second asyncio.run: a CrossLoopError under the guard.
REUSE = textwrap.dedent("""\
    import asyncio, sys
    import httpx

    client = httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=0))

    async def ask():
        await client.get(sys.argv[1] + "/models")

    asyncio.run(ask())
    asyncio.run(ask())
    print("second run passed")
""")


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with Endpoint() as endpoint:
        yield endpoint.base_url


def loopdoctor_exec(*args: str, env: dict[str, str] | None = None,
                    cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "loopdoctor", "exec", *args], env=env,
                          cwd=cwd, capture_output=True, text=True, timeout=45)


def test_the_exit_code_passes_through() -> None:
    done = loopdoctor_exec("--", sys.executable, "-c", "import sys; sys.exit(7)")
    assert done.returncode == 7
    assert "guard on in 1 Python process(es); no cross-loop use" in done.stderr


def test_the_guard_is_on_in_the_child_and_its_children(tmp_path: Path, base_url: str) -> None:
    (tmp_path / "reuse.py").write_text(REUSE)
    parent = (
        "import subprocess, sys\n"
        f"sys.exit(subprocess.call([sys.executable, 'reuse.py', {base_url!r}]))"
    )
    done = loopdoctor_exec("--", sys.executable, "-c", parent, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "CrossLoopError: httpx.AsyncClient is bound to a closed event loop" in done.stderr
    assert "created at:  reuse.py:4 in <module>" in done.stderr
    assert "second run passed" not in done.stdout
    assert "guard on in 2 Python process(es); 1 cross-loop use(s):" in done.stderr
    assert "1x httpx.AsyncClient created at reuse.py:4 in <module>" in done.stderr


def test_warn_lets_the_program_finish_keeps_its_exit_code_and_says_why(
    tmp_path: Path, base_url: str
) -> None:
    (tmp_path / "reuse.py").write_text(REUSE)
    done = loopdoctor_exec("--warn", "--", sys.executable, "reuse.py", base_url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "second run passed" in done.stdout
    summary = done.stderr.split("loopdoctor exec: ")[1]
    assert summary.startswith("guard on in 1 Python process(es); 1 cross-loop use(s):")
    assert "CrossLoopError: httpx.AsyncClient is bound to a closed event loop" in summary
    assert "created at:  reuse.py:4 in <module>" in summary


def test_warn_with_fail_on_use_runs_to_the_end_then_exits_1(tmp_path: Path,
                                                            base_url: str) -> None:
    (tmp_path / "reuse.py").write_text(REUSE)
    done = loopdoctor_exec("--warn", "--fail-on-use", "--", sys.executable, "reuse.py",
                           base_url, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "second run passed" in done.stdout
    assert "exit 1: the command exited 0 after a cross-loop use" in done.stderr


SWALLOWED = """\
import asyncio, sys
import httpx
from loopdoctor import CrossLoopError

client = httpx.AsyncClient()
asyncio.run(client.get(sys.argv[1] + "/models"))
try:
    asyncio.run(client.get(sys.argv[1] + "/models"))
except CrossLoopError:
    print("caught")
"""


@pytest.mark.parametrize(("flags", "code"), [((), 1), (("--no-fail-on-use",), 0)])
def test_an_error_the_command_caught_fails_the_run_unless_told_not_to(
    tmp_path: Path, base_url: str, flags: tuple[str, ...], code: int
) -> None:
    (tmp_path / "swallow.py").write_text(SWALLOWED)
    done = loopdoctor_exec(*flags, "--", sys.executable, "swallow.py", base_url, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (code, "caught\n"), done.stderr
    assert "1 cross-loop use(s):" in done.stderr


def test_the_bootstrap_is_removed_and_other_sitecustomize_still_runs(tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.mkdir()
    (own / "sitecustomize.py").write_text("import builtins; builtins.OWN_RAN = True\n")
    script = (
        "import builtins, os, sitecustomize\n"
        "print(getattr(builtins, 'OWN_RAN', False), os.path.dirname(sitecustomize.__file__))"
    )
    env = {**os.environ, "PYTHONPATH": str(own)}
    done = loopdoctor_exec("--", sys.executable, "-c", script, env=env)
    assert done.returncode == 0, done.stderr
    own_ran, boot_dir = done.stdout.split()
    assert own_ran == "True"
    assert "loopdoctor-exec-" in boot_dir and not Path(boot_dir).exists()


def test_no_command_is_a_usage_error() -> None:
    done = loopdoctor_exec()
    assert done.returncode == 2
    assert "Usage:" in done.stderr and "exec [OPTIONS] -- CMD [ARGS]..." in done.stderr
    assert "exec needs a command" in done.stderr


def test_a_missing_command_exits_127() -> None:
    done = loopdoctor_exec("--", "loopdoctor-no-such-command")
    assert done.returncode == 127
    assert "loopdoctor-no-such-command: command not found" in done.stderr


@pytest.mark.parametrize(("args", "parsed"), [
    (["--", "pytest", "-x"], (["pytest", "-x"], {})),
    (["pytest", "--warn"], (["pytest", "--warn"], {})),
    (["--warn", "--no-fail-on-use", "--", "--x"], (["--x"], {"warn": True, "fail_on_use": False})),
    (["--help"], None),
    (["--"], None),
    ([], None),
])
def test_exec_options_the_full_cli_is_not_needed_for(
    args: list[str], parsed: tuple[list[str], dict[str, bool]] | None
) -> None:
    assert exec_.parse_options(args) == parsed


def test_a_guarded_run_does_not_start_the_full_cli() -> None:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "loopdoctor", "exec", "--",
                           sys.executable, "-c", "pass"], capture_output=True, text=True,
                          timeout=45)
    assert done.returncode == 0, done.stderr
    parent = done.stderr.split("loopdoctor exec: guard on")[0]
    assert "loopdoctor.guard.exec_" in parent
    assert " typer" not in parent and " rich" not in parent


def test_help_still_comes_from_the_full_cli() -> None:
    done = loopdoctor_exec("--help")
    assert done.returncode == 0
    assert "--no-fail-on-use" in done.stdout
