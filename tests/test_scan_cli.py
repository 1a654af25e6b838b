"""``loopdoctor scan``/``explain`` from the outside: exit codes, formats, config discovery,
baselines, the cache. Most tests go through typer's runner; a few run a real process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import psutil
import pytest
from typer.testing import CliRunner

from loopdoctor.cli import app
from loopdoctor.scan import ScanOptions, scan
from loopdoctor.scan.config import discover, newest_of, target_of

SCHEMA = Path(__file__).parent / "sarif-schema-2.1.0.json"
CLIENT_AT_IMPORT = "from openai import AsyncOpenAI\n\nclient = AsyncOpenAI()\n"
CLEAN = "import asyncio\n\n\nasync def main():\n    await asyncio.sleep(0)\n"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def invoke(*args: str):
    return runner.invoke(app, ["scan", *args])


# -- exit codes and messages ------------------------------------------------------------


def test_findings_exit_1_clean_exit_0_exit_zero(tmp_path: Path) -> None:
    write(tmp_path, {"bad.py": CLIENT_AT_IMPORT, "good/ok.py": CLEAN})
    found = invoke("bad.py")
    assert found.exit_code == 1
    assert re.search(r"^bad\.py:3:10: LD301 ", found.stdout, re.MULTILINE)
    assert invoke("good").exit_code == 0
    assert "All checks passed!" in invoke("good").stdout
    assert invoke("bad.py", "--exit-zero").exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["missing.py"], "path does not exist: missing.py"),
    (["--select", "LD999", "."], "unknown rule selector 'LD999'"),
    (["--format", "xml", "."], "Invalid value for '--format'"),
    (["--baseline", "nope.json", "."], "cannot read baseline nope.json"),
])
def test_usage_errors_exit_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_empty_folder_exit_0_says_no_python_files(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = invoke("empty")
    assert result.exit_code == 0
    assert "no Python files" in result.stderr


def test_no_colour_when_not_a_tty(tmp_path: Path) -> None:
    write(tmp_path, {"bad.py": CLIENT_AT_IMPORT})
    assert "\x1b[" not in invoke("bad.py").stdout


# -- formats ------------------------------------------------------------------------------


def test_json_matches_the_design(tmp_path: Path) -> None:
    write(tmp_path, {"bad.py": CLIENT_AT_IMPORT, "ok.py": CLEAN})
    data = json.loads(invoke(".", "--format", "json").stdout)
    assert set(data) == {"version", "findings", "files_scanned", "parse_errors"}
    assert data["version"] == 1 and data["files_scanned"] == 2 and data["parse_errors"] == 0
    (finding,) = data["findings"]
    assert set(finding) == {"code", "name", "path", "line", "column", "end_line",
                            "end_column", "message", "fingerprint"}
    assert (finding["code"], finding["name"], finding["path"], finding["line"]) == (
        "LD301", "module-level-client", "bad.py", 3)


def test_sarif_validates_against_the_2_1_0_schema(tmp_path: Path) -> None:
    write(tmp_path, {"bad.py": CLIENT_AT_IMPORT, "broken.py": "import asyncio\ndef (:\n"})
    log = json.loads(invoke(".", "--format", "sarif").stdout)
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(log)
    results = log["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"LD000", "LD301"}
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)


def test_github_annotations(tmp_path: Path) -> None:
    write(tmp_path, {"bad.py": CLIENT_AT_IMPORT})
    line = invoke("bad.py", "--format", "github").stdout.strip()
    assert line.startswith("::error file=bad.py,line=3,col=10,")
    assert "title=LD301 module-level-client::" in line


def test_gitlab_code_quality(tmp_path: Path) -> None:
    write(tmp_path, {"bad.py": CLIENT_AT_IMPORT})
    (issue,) = json.loads(invoke("bad.py", "--format", "gitlab").stdout)
    assert issue["check_name"] == "LD301" and issue["location"]["lines"]["begin"] == 3
    assert issue["fingerprint"] and issue["severity"] == "major"


def test_junit_and_output_file(tmp_path: Path) -> None:
    write(tmp_path, {"bad.py": CLIENT_AT_IMPORT})
    result = invoke("bad.py", "--format", "junit", "--output", "report.xml")
    assert result.exit_code == 1 and result.stdout == ""
    suite = ET.parse(tmp_path / "report.xml").getroot().find("testsuite")
    assert suite.get("failures") == "1" and suite.find("testcase/failure") is not None


def test_statistics_and_show_source(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": CLIENT_AT_IMPORT, "b.py": CLIENT_AT_IMPORT})
    assert re.search(r"2\s+LD301\s+module-level-client", invoke(".", "--statistics").stdout)
    shown = invoke("a.py", "--show-source").stdout
    assert "client = AsyncOpenAI()" in shown


# -- selection, config, suppressions --------------------------------------------------


def test_select_and_ignore_on_the_command_line(tmp_path: Path) -> None:
    write(tmp_path, {"bad.py": CLIENT_AT_IMPORT})
    assert invoke("bad.py", "--ignore", "LD3").exit_code == 0
    assert invoke("bad.py", "--select", "LD1,LD2").exit_code == 0
    assert invoke("bad.py", "--select", "LD1", "--extend-select", "LD301").exit_code == 1


def test_config_found_by_walking_up(tmp_path: Path) -> None:
    write(tmp_path, {
        "pyproject.toml": """\
            [tool.loopdoctor]
            ignore = ["LD202"]
            per-file-ignores = {"pkg/legacy.py" = ["LD201"]}
            exclude = ["generated/"]
            loop-bound-types = ["acme.Pool"]
            """,
        "pkg/__init__.py": "",
        "pkg/app.py": CLIENT_AT_IMPORT + "from acme import Pool\n\npool = Pool()\n",
        "pkg/legacy.py": """\
            from functools import cache
            from openai import AsyncOpenAI
            _c = {}
            def get(k):
                _c[k] = AsyncOpenAI()
            @cache
            def one():
                return AsyncOpenAI()
            """,
        "pkg/generated/big.py": CLIENT_AT_IMPORT,
    })
    os.chdir(tmp_path / "pkg")
    data = json.loads(invoke(".", "--format", "json").stdout)
    assert [(f["code"], f["path"], f["line"]) for f in data["findings"]] == [
        ("LD301", "app.py", 3), ("LD301", "app.py", 6)]
    assert data["files_scanned"] == 3


def test_bad_config_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[tool.loopdoctor]\nselct = ['LD1']\n", "a.py": CLEAN})
    result = invoke("a.py")
    assert result.exit_code == 2 and "unknown option 'selct'" in result.stderr
    write(tmp_path, {"pyproject.toml": "[tool.loopdoctor\n"})
    assert invoke("a.py").exit_code == 2


QUEUE_BEFORE_RUN = """\
    import asyncio

    async def consume(queue):
        await queue.get()

    def main():
        queue = asyncio.Queue()
        asyncio.run(consume(queue))
    """


@pytest.mark.parametrize(("pyproject", "options", "found"), [
    (None, [], [("LD303", 7)]),  # nothing says: taken to run on 3.9, where it binds when made
    ('[project]\nrequires-python = ">=3.10"\n', [], []),
    ('[project]\nrequires-python = ">=3.8, <4"\n', [], [("LD303", 7)]),
    ('[project]\nrequires-python = ">=3.10"\n', ["--target-version", "py39"], [("LD303", 7)]),
    ('[project]\nrequires-python = ">=3.8"\n[tool.loopdoctor]\ntarget-version = "py311"\n',
     [], []),
])
def test_a_primitive_binds_when_made_only_on_the_pythons_the_project_supports(
        tmp_path: Path, pyproject: str | None, options: list[str], found: list) -> None:
    write(tmp_path, {"app.py": QUEUE_BEFORE_RUN, **({"pyproject.toml": pyproject}
                                                    if pyproject else {})})
    data = json.loads(invoke("app.py", "--select", "LD303", "--format", "json",
                             *options).stdout)
    assert [(f["code"], f["line"]) for f in data["findings"]] == found


def test_a_warm_scan_answers_again_when_requires_python_changes(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": QUEUE_BEFORE_RUN,
                     "pyproject.toml": '[project]\nrequires-python = ">=3.9"\n'})
    codes = ["--select", "LD303", "--format", "json", "--cache-dir", "cache"]
    assert json.loads(invoke("app.py", *codes).stdout)["findings"]
    assert json.loads(invoke("app.py", *codes).stdout)["findings"]  # warm
    write(tmp_path, {"pyproject.toml": '[project]\nrequires-python = ">=3.10"\n'})
    assert json.loads(invoke("app.py", *codes).stdout)["findings"] == []


PROGRAM_START = """\
    import asyncio


    async def serve():
        pass


    def main():
        loop = asyncio.get_event_loop()
        loop.run_until_complete(serve())


    if __name__ == "__main__":
        main()
    """


@pytest.mark.parametrize(("pyproject", "options", "found"), [
    (None, [], [("LD505", 9)]),
    ('[project]\nrequires-python = ">=3.10"\n', [], [("LD505", 9)]),
    ('[project]\nrequires-python = ">=3.10,<4"\n', [], [("LD505", 9)]),
    ('[project]\nrequires-python = ">=3.10,<3.15"\n', [], [("LD505", 9)]),
    ('[project]\nrequires-python = ">=3.10,<3.14"\n', [], []),
    ('[project]\nrequires-python = ">=3.10,<3.14"\n', ["--newest-version", "py314"],
     [("LD505", 9)]),
    (None, ["--newest-version", "py313"], []),
    ('[tool.loopdoctor]\nnewest-version = "py312"\n', [], []),
])
def test_a_program_start_without_a_loop_only_where_a_supported_python_raises(
        tmp_path: Path, pyproject: str | None, options: list[str], found: list) -> None:
    write(tmp_path, {"app.py": PROGRAM_START, **({"pyproject.toml": pyproject}
                                                 if pyproject else {})})
    data = json.loads(invoke("app.py", "--select", "LD505", "--format", "json",
                             *options).stdout)
    assert [(f["code"], f["line"]) for f in data["findings"]] == found


@pytest.mark.parametrize(("requires", "newest"), [
    (">=3.10", None), (">=3.9.2,<4", None), ("~=3.11", None), (">=3.11,<3.14", "py313"),
    ("<=3.12", "py312"), ("==3.12.*", "py312"), ("not a specifier", None), (None, None),
])
def test_the_newest_version_is_the_newest_python_requires_python_allows(
        requires: str | None, newest: str | None) -> None:
    assert newest_of(requires) == newest


@pytest.mark.parametrize(("requires", "target"), [
    (">=3.10", "py310"), (">=3.9.2,<4", "py39"), ("~=3.11", "py311"), (">3.9", "py39"),
    ("==3.12.*", "py312"), ("not a specifier", "py39"), (None, "py39"),
])
def test_the_target_version_is_the_oldest_python_requires_python_allows(
        requires: str | None, target: str) -> None:
    assert target_of(requires) == target


@pytest.mark.parametrize("where", [["--target-version", "3.10"],
                                   ["--config", "bad.toml"]])
def test_a_bad_target_version_is_a_usage_error(tmp_path: Path, where: list[str]) -> None:
    write(tmp_path, {"app.py": CLEAN,
                     "bad.toml": '[tool.loopdoctor]\ntarget-version = "python3.10"\n'})
    result = invoke("app.py", *where)
    assert result.exit_code == 2 and "expected a version like py39" in result.stderr


def test_noqa_ignore_and_unused_suppressions(tmp_path: Path) -> None:
    write(tmp_path, {"s.py": """\
        import httpx
        a = httpx.AsyncClient()  # noqa: LD301
        b = httpx.AsyncClient()  # loopdoctor: ignore[LD301] owned by the CLI process
        c = 1  # noqa: LD301
        """})
    data = json.loads(invoke("s.py", "--format", "json").stdout)
    assert [(f["code"], f["line"]) for f in data["findings"]] == [("LD001", 4)]


@pytest.mark.parametrize(("comment", "found"), [
    ("# noqa: E501", [("LD301", 2)]),  # a file whose comments are only other tools' codes
    ("# noqa: E501, LD301", []),
    ("# noqa : E501", []),  # not a list of codes: a bare noqa
    ("# noqa", []),
])
def test_noqa_with_other_tools_codes(tmp_path: Path, comment: str, found: list) -> None:
    write(tmp_path, {"s.py": f"import httpx\nd = httpx.AsyncClient()  {comment}\n"
                             "e = 1  # noqa: F401\n"})
    data = json.loads(invoke("s.py", "--format", "json").stdout)
    assert [(f["code"], f["line"]) for f in data["findings"]] == found


# -- baseline and cache -------------------------------------------------------------------


def test_baseline_round_trip_survives_edits_above(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": CLIENT_AT_IMPORT})
    assert invoke("app.py", "--write-baseline", "base.json").exit_code == 0
    assert invoke("app.py", "--baseline", "base.json").exit_code == 0
    source = tmp_path / "app.py"
    source.write_text('"""A docstring."""\nimport os\n\n' + source.read_text())
    assert invoke("app.py", "--baseline", "base.json").exit_code == 0
    source.write_text(source.read_text() + "other = AsyncOpenAI()\n")
    result = invoke("app.py", "--baseline", "base.json")
    assert result.exit_code == 1 and "as `other`" in result.stdout
    assert "1 more in the baseline" in result.stdout


def test_cache_hit_on_rerun_reparses_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": CLIENT_AT_IMPORT, "b.py": CLIENT_AT_IMPORT.replace("client", "c")})
    cache = tmp_path / "cache"

    def run():
        return scan(ScanOptions(["."], discover(["."]), jobs=1, cache_dir=cache))

    first, second = run(), run()
    assert first.files_parsed == 2 and second.files_parsed == 0
    assert [f.message for f in first.findings] == [f.message for f in second.findings]
    (tmp_path / "b.py").write_text(CLEAN)
    third = run()
    assert third.files_parsed == 1 and len(third.findings) == 1


# -- explain, list, and a real process -----------------------------------------------------


def test_explain_prints_the_rule_doc() -> None:
    result = runner.invoke(app, ["explain", "LD101"])
    assert result.exit_code == 0
    assert "asyncio-run-in-worker-thread" in result.stdout and "## Bad" in result.stdout
    assert runner.invoke(app, ["explain", "fresh-loop-per-call"]).exit_code == 0
    unknown = runner.invoke(app, ["explain", "LD999"])
    assert unknown.exit_code == 2 and "unknown rule" in unknown.stderr


def run_process(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "loopdoctor", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def test_real_process_exit_codes_and_sarif(tmp_path: Path) -> None:
    write(tmp_path, {"bad.py": CLIENT_AT_IMPORT, "ok.py": CLEAN})
    assert run_process("scan", "ok.py", cwd=tmp_path).returncode == 0
    found = run_process("scan", "bad.py", "--format", "sarif", cwd=tmp_path)
    assert found.returncode == 1
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(json.loads(found.stdout))
    missing = run_process("scan", "nowhere", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.strip() == "loopdoctor: error: path does not exist: nowhere"


@pytest.mark.timeout(90)
def test_a_killed_scan_leaves_no_worker_behind(tmp_path: Path) -> None:
    stdlib = sysconfig.get_paths()["stdlib"]  # a tree big enough for parallel parsing
    scan_process = subprocess.Popen(
        [sys.executable, "-m", "loopdoctor", "scan", stdlib, "--no-cache", "--exit-zero",
         "--jobs", "2"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = workers_once_started(psutil.Process(scan_process.pid))
    scan_process.kill()
    scan_process.wait()
    _, left = psutil.wait_procs(workers, timeout=10)
    for process in left:
        process.kill()
    assert workers and not left


def workers_once_started(scan_process: psutil.Process) -> list[psutil.Process]:
    deadline = time.monotonic() + 60
    while scan_process.is_running() and time.monotonic() < deadline:
        if workers := scan_process.children(recursive=True):
            return workers
        time.sleep(0.02)
    pytest.fail("the scan never started its parsing workers")


def test_real_process_list_rules_and_explain(tmp_path: Path) -> None:
    listed = run_process("list", "rules", cwd=tmp_path)
    assert listed.returncode == 0 and "LD101" in listed.stdout
    assert "## Good" in run_process("explain", "LD503", cwd=tmp_path).stdout


def test_internal_error_exit_3_without_traceback(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from loopdoctor import cli
    from loopdoctor.scan import command

    def explode(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(command, "run_scan", explode)
    monkeypatch.setattr(sys, "argv", ["loopdoctor", "scan", "."])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "Traceback" not in err


def test_parallel_parse_agrees_with_sequential(tmp_path: Path) -> None:
    for i in range(40):
        write(tmp_path, {f"pkg/m{i}.py": CLIENT_AT_IMPORT.replace("client", f"client_{i}")})
    config = discover(["."])
    one = scan(ScanOptions(["."], config, jobs=1))
    two = scan(ScanOptions(["."], config, jobs=2))
    assert two.files_parsed == 40
    assert [(f.path, f.line, f.code) for f in one.findings] == [
        (f.path, f.line, f.code) for f in two.findings]
