"""``loopdoctor run`` as users call it: the --factory gate, formats, and bad input."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from ast import literal_eval
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from loopdoctor.cli import app as cli_app
from loopdoctor.run.clients import KINDS
from loopdoctor.run.harness import forkserver, session
from loopdoctor.run.verdict import ERROR_OR_MASKED

pytestmark = pytest.mark.timeout(120)
Runner = Callable[..., Any]  # the ``loopdoctor`` fixture of conftest.py
FAST = ["-s", "cli-sequential", "-s", "gateway-bridge", "--timeout", "1.5"]

FACTORIES = {
    "cached": """
        import openai
        _client = None

        def get_client(base_url, api_key):
            global _client
            if _client is None:
                _client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key)
            return _client
    """,
    "weak": """
        import asyncio, weakref
        import openai
        _clients = weakref.WeakKeyDictionary()

        def get_client(base_url, api_key):
            loop = asyncio.get_running_loop()
            if loop not in _clients:
                _clients[loop] = openai.AsyncOpenAI(base_url=base_url, api_key=api_key)
            return _clients[loop]
    """,
    "fresh": """
        import openai

        def get_client(base_url, api_key):
            return openai.AsyncOpenAI(base_url=base_url, api_key=api_key)
    """,
    "configured": """
        import os

        API_KEY = os.environ["LLM_API_KEY"]  # raises KeyError, not ImportError
    """,
    "exiting": """
        import os

        os._exit(3)
    """,
    "broken": """
        def not_a_client(base_url, api_key):
            return "sk-123"

        def raising(base_url, api_key):
            raise RuntimeError("vault unreachable")

        def stuck(base_url, api_key):
            import time
            time.sleep(3600)

        def elsewhere(base_url, api_key):
            import openai
            return openai.AsyncOpenAI(base_url="https://api.openai.com/v1", api_key=api_key)
    """,
}


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """A user's package ``myapp.llm`` in the directory the CLI runs in."""
    (tmp_path / "myapp").mkdir()
    (tmp_path / "myapp" / "__init__.py").write_text("")
    for name, source in FACTORIES.items():
        (tmp_path / "myapp" / f"{name}.py").write_text(textwrap.dedent(source))
    return tmp_path


def test_a_cached_global_client_fails_the_gate(app: Path, loopdoctor: Runner) -> None:
    ran = loopdoctor("run", "--factory", "myapp.cached:get_client", *FAST, "--format", "json")
    assert ran.code == 1
    outcomes = {c["scenario"]: c["outcome"] for c in ran.json()["cells"]}
    assert outcomes["gateway-bridge"] == ERROR_OR_MASKED.on(KINDS["openai"].http).value
    assert ran.json()["passing"] == []


def test_a_weak_loop_cache_fails_on_leak_unless_allowed(
    app: Path, loopdoctor: Runner
) -> None:
    ran = loopdoctor("run", "--factory", "myapp.weak:get_client", *FAST, "--format", "json")
    assert ran.code == 1
    assert {c["outcome"] for c in ran.json()["cells"]} == {"LEAK"}
    assert loopdoctor("run", "--factory", "myapp.weak:get_client", *FAST,
                      "--allow", "leak").code == 0


def test_a_fresh_client_per_call_passes_the_gate(app: Path, loopdoctor: Runner) -> None:
    ran = loopdoctor("run", "--factory", "myapp.fresh:get_client", *FAST)
    assert ran.code == 0, ran.stdout + ran.stderr
    assert "Pass everything: myapp.fresh:get_client" in ran.stdout


@pytest.mark.parametrize(("module", "message"), [
    ("nothere", "cannot import 'myapp.nothere': ModuleNotFoundError"),
    ("configured", "cannot import 'myapp.configured': KeyError: 'LLM_API_KEY'"),
    ("exiting", "importing myapp.exiting ended the process that imported it"),
])
def test_an_unimportable_factory_is_a_one_line_usage_error(
    app: Path, loopdoctor: Runner, module: str, message: str
) -> None:
    """Whatever the module raises: the forkserver, which imports it too, survives it."""
    ran = loopdoctor("run", "--factory", f"myapp.{module}:get_client")
    assert ran.code == 2
    assert ran.stderr.strip().count("\n") == 0, ran.stderr
    assert message in ran.stderr
    assert "Traceback" not in ran.stderr


@pytest.mark.parametrize(("factory", "outcome", "message"), [
    ("not_a_client", "ERROR", "'str': not a client loopdoctor knows how to ask"),
    ("raising", "ERROR", "vault unreachable"),
    ("stuck", "HANG", "No response for 1.5s"),
    ("elsewhere", "ERROR", "refused a connection to 'api.openai.com'"),
])
def test_a_broken_factory_is_a_failed_cell_with_a_clear_message(
    app: Path, loopdoctor: Runner, factory: str, outcome: str, message: str
) -> None:
    ran = loopdoctor("run", "--factory", f"myapp.broken:{factory}", "-s", "cli-sequential",
                     "--timeout", "1.5", "--format", "json")
    [cell] = ran.json()["cells"]
    assert (ran.code, cell["outcome"]) == (1, outcome)
    assert message in cell["explanation"]


def test_the_json_report_has_the_documented_shape(loopdoctor: Runner) -> None:
    ran = loopdoctor("run", "--strategy", "global", "--strategy", "per-call", "-s",
                     "cli-sequential", "--format", "json")
    report = ran.json()
    assert {"version", "timeout", "wall_seconds", "cells", "passing"} <= report.keys()
    assert report["version"] == 1
    assert report["passing"] == ["per-call"]
    for cell in report["cells"]:
        assert {"scenario", "strategy", "endpoint", "outcome", "expected", "unexpected",
                "seconds", "rate", "requests", "explanation", "diagnostics"} <= cell.keys()
        assert cell["unexpected"] is False
    assert ran.code == 0  # built-ins only: every verdict as declared


def test_junit_and_github_formats(tmp_path: Path, loopdoctor: Runner) -> None:
    args = ("run", "--strategy", "global", "-s", "cli-sequential")
    assert loopdoctor(*args, "--format", "junit", "--output", str(tmp_path / "r.xml")).code == 0
    suite = ET.parse(tmp_path / "r.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
    github = loopdoctor(*args, "--format", "github").stdout.splitlines()
    assert github[0].startswith("::notice title=global × cli-sequential")


def test_the_output_file_is_written_whole_after_the_cells_and_kept_until_then(
    tmp_path: Path, loopdoctor: Runner
) -> None:
    report = tmp_path / "report.txt"
    report.write_text("the previous report")
    bad = loopdoctor("run", "-s", "nope", "-o", str(report))
    assert bad.code == 2 and report.read_text() == "the previous report"
    ran = loopdoctor("run", "--strategy", "per-call", "-s", "cli-sequential", "-o", str(report))
    assert ran.code == 0 and ran.stdout == ""
    assert report.read_text().startswith("loopdoctor run · openai ")


def test_the_table_names_the_stack_and_explains_failures(loopdoctor: Runner) -> None:
    ran = loopdoctor("run", "--strategy", "global", "-s", "cli-sequential")
    assert "openai " in ran.stdout.splitlines()[0]
    assert "Why" in ran.stdout
    assert "Fix:" in ran.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["-s", "nope"], "unknown scenario 'nope'; valid: cli-sequential"),
    (["--strategy", "nope"], "unknown strategy 'nope'; valid: global"),
    (["--endpoint", "nope"], "unknown endpoint 'nope'; valid: loopback, respx"),
    (["--allow", "hang"], "--allow takes leak and/or masked"),
    (["--timeout", "-1"], "Invalid value for '--timeout'"),
    (["--output", "no/such/folder/report.txt"], "cannot write no/such/folder/report.txt"),
])
def test_bad_selections_exit_2_with_the_valid_choices(
    loopdoctor: Runner, args: list[str], message: str
) -> None:
    ran = loopdoctor("run", *args)
    assert ran.code == 2
    assert message in ran.stderr
    assert "Traceback" not in ran.stderr


def run_entry_point(tmp_path: Path, argv: list[str], setup: str = "") -> Any:
    """``loopdoctor.__main__.main()`` in a child, after ``setup``, with an atexit handler."""
    script = ("import atexit, builtins, sys\n"
              "from loopdoctor.__main__ import main\n"
              f"{setup}"
              "atexit.register(print, 'the atexit handlers ran')\n"
              f"sys.argv = {argv!r}\n"
              "main()\n")
    return subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)


def test_a_ctrl_c_while_the_cli_imports_exits_130_without_a_traceback(tmp_path: Path) -> None:
    """It exits at once (os._exit, atexit handlers run): a handled KeyboardInterrupt must not
    turn into the interpreter killing itself with SIGINT at exit."""
    ran = run_entry_point(tmp_path, ["loopdoctor", "scan", "."], setup=(
        "real_import = builtins.__import__\n"
        "def interrupted(name, *args, **kwargs):\n"
        "    if name == 'loopdoctor.cli':\n"
        "        raise KeyboardInterrupt\n"
        "    return real_import(name, *args, **kwargs)\n"
        "builtins.__import__ = interrupted\n"))
    assert (ran.returncode, ran.stdout, ran.stderr) == (130, "the atexit handlers ran\n", "")


def test_run_exits_with_its_code_its_atexit_handlers_and_its_output(tmp_path: Path) -> None:
    """``run`` ends without tearing the interpreter down, and loses none of those on the way."""
    ran = run_entry_point(tmp_path, ["loopdoctor", "run", "--timeout", "soon"])
    assert ran.returncode == 2
    assert ran.stdout == "the atexit handlers ran\n"
    assert "Invalid value for '--timeout'" in ran.stderr


class Parsed(Exception):
    """Raised where the CLI would start its harness: the options it would start it with."""


@pytest.mark.parametrize("args", [
    [],
    ["--factory", "myapp.llm:get_client"],
    ["--factory=myapp.llm:get_client", "--bridge", "myapp.llm:run_async", "-s", "cli-sequential"],
    ["--factory", "myapp.chat:model", "--call", "myapp.chat:ask", "--strategy", "portal"],
    ["--client", "aiohttp", "--timeout", "2", "-j", "4"],
    ["--client", "httpx2", "--endpoint", "loopback", "--endpoint", "respx"],
    ["--client", "anthropic", "--factory", "claude:get", "--strategy=global", "--guard"],
], ids=repr)
def test_the_forkserver_started_before_parsing_is_the_one_the_run_needs(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``loopdoctor run`` starts its forkserver from a quick look at the command line, before
    the CLI parses it; the harness keeps it only if it was started for the same modules."""

    def parsed(options: Any) -> None:
        raise Parsed(forkserver.Boot.of(options.preload, options.targets))

    monkeypatch.setattr(session, "Session", parsed)
    result = CliRunner().invoke(cli_app, ["run", *args])
    assert isinstance(result.exception, Parsed), result.output
    assert forkserver.boot_for_command_line(args) == result.exception.args[0]


@pytest.mark.parametrize("args", [["--help"], ["-s", "cli-sequential", "-h"], ["--factory"]])
def test_no_forkserver_is_guessed_for_help_or_what_the_cli_will_reject(args: list[str]) -> None:
    assert forkserver.boot_for_command_line(args) is None


def test_a_scenario_folder_with_a_syntax_error_names_the_file(
    tmp_path: Path, loopdoctor: Runner
) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "oops.py").write_text("def broken(:\n")
    ran = loopdoctor("run", "--scenarios", "mine")
    assert ran.code == 2
    assert "oops.py" in ran.stderr and "SyntaxError" in ran.stderr


def test_a_user_scenario_runs_beside_the_built_ins(
    tmp_path: Path, loopdoctor: Runner
) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "twice.py").write_text(textwrap.dedent("""
        from loopdoctor.run.scenario import Scenario

        async def twice(ctx):
            async with ctx.client() as client:
                await ctx.ask(client, "one")
                await ctx.ask(client, "two")

        scenario = Scenario(name="twice", summary="two requests, one loop", requests=2,
                            body=lambda ctx: ctx.run(twice(ctx)))
    """))
    ran = loopdoctor("run", "--scenarios", "mine", "-s", "twice", "--strategy", "global",
                     "--format", "json")
    [cell] = ran.json()["cells"]
    assert (cell["outcome"], cell["requests"]) == ("PASS", {"made": 2, "server_saw": 2})


def test_a_cell_that_cannot_hang_waits_while_one_that_may_hang_works_and_yields_to_it(
    tmp_path: Path, loopdoctor: Runner
) -> None:
    """The hung cells' timeout runs from when they go quiet: the others start after that, and
    give way to them on the CPU."""
    (tmp_path / "mine").mkdir()
    for name, body in {"concurrent-held": "busy", "cli-sequential": "started"}.items():
        (tmp_path / "mine" / f"{name.replace('-', '_')}.py").write_text(textwrap.dedent(f"""
            import os, time
            from pathlib import Path

            from loopdoctor.run.scenario import Scenario

            def busy(ctx):
                until = time.process_time() + 0.3
                while time.process_time() < until:
                    pass
                Path("busy").write_text(repr((time.time(), os.nice(0))))

            def started(ctx):
                Path("started").write_text(repr((time.time(), os.nice(0))))

            scenario = Scenario(name="{name}", summary="times itself", requests=0, body={body})
        """))
    (tmp_path / "nothing.py").write_text("def factory(base_url, api_key):\n    return None\n")
    ran = loopdoctor("run", "--scenarios", "mine", "--factory", "nothing:factory",
                     "-s", "cli-sequential", "-s", "concurrent-held", "--format", "json")
    assert [cell["outcome"] for cell in ran.json()["cells"]] == ["PASS", "PASS"]
    busy_until, busy_niceness = literal_eval((tmp_path / "busy").read_text())
    started_at, started_niceness = literal_eval((tmp_path / "started").read_text())
    assert started_at > busy_until
    assert started_niceness > busy_niceness
