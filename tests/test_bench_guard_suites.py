"""benchmarks/bench_guard_suites.py: reading junit reports and comparing runs (no suite is run)."""

from __future__ import annotations

import cProfile
import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_guard_suites.py"
spec = importlib.util.spec_from_file_location("bench_guard_suites", SCRIPT)
assert spec is not None and spec.loader is not None
bench = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = bench  # dataclasses look their module up by name
spec.loader.exec_module(bench)

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="5">
<testcase classname="tests.test_a" name="test_ok[asyncio]" time="0.1"/>
<testcase classname="tests.test_a" name="test_ok[trio]" time="0.1">
  <failure message="RuntimeError: no running event loop">.venv/x.py:3: in send
/work/loopdoctor/binding.py:192: in send
    record_use(self, kind)
/work/loopdoctor/binding.py:151: in record_use
    current = loop_info(asyncio.get_running_loop())
E   RuntimeError: no running event loop</failure>
</testcase>
<testcase classname="tests.test_a" name="test_reuse" time="0.1">
  <failure message="loopdoctor.guard.CrossLoopError: httpx.AsyncClient is bound to a closed">
E   loopdoctor.guard.CrossLoopError: httpx.AsyncClient is bound to a closed event loop
E     owned by:    loop#1 (thread MainThread), closed (its first request ran there)
E     used from:   loop#2 (thread MainThread)
E     used at:     tests/test_a.py:9 in ask
E     created at:  tests/test_a.py:4 in &lt;module&gt;
  </failure>
</testcase>
<testcase classname="tests.test_a" name="test_skip" time="0"><skipped message="no trio"/></testcase>
<testcase classname="tests.test_a" name="test_xfail" time="0">
  <skipped type="pytest.xfail" message="known"/></testcase>
</testsuite></testsuites>
"""


@pytest.fixture
def junit(tmp_path: Path) -> Path:
    path = tmp_path / "guard.xml"
    path.write_text(JUNIT)
    return path


def run(mode: str, outcomes: dict[str, object]) -> object:
    return bench.ModeRun(mode=mode, command=[], returncode=0, wall=1.0, hung=False,
                         outcomes=outcomes, log="")


def test_outcomes_messages_and_the_guards_frame(junit: Path) -> None:
    outcomes = bench.parse_junit(junit)
    assert {t: o.outcome for t, o in outcomes.items()} == {
        "tests.test_a::test_ok[asyncio]": "passed",
        "tests.test_a::test_ok[trio]": "failed",
        "tests.test_a::test_reuse": "failed",
        "tests.test_a::test_skip": "skipped",
        "tests.test_a::test_xfail": "xfailed",
    }
    trio = outcomes["tests.test_a::test_ok[trio]"]
    assert trio.message == "RuntimeError: no running event loop"
    assert trio.cause == "binding.py:151 in record_use"
    assert trio.cross_loop == []


def test_cross_loop_errors_are_read_with_their_sites(junit: Path) -> None:
    [error] = bench.parse_junit(junit)["tests.test_a::test_reuse"].cross_loop
    assert error.startswith("httpx.AsyncClient is bound to a closed event loop; owned by: loop#1")
    assert "used at: tests/test_a.py:9 in ask" in error
    assert "created at: tests/test_a.py:4 in <module>" in error


def test_a_missing_report_is_no_outcome(tmp_path: Path) -> None:
    assert bench.parse_junit(tmp_path / "absent.xml") == {}


def test_differences_and_flaky_tests(junit: Path) -> None:
    guarded = bench.parse_junit(junit)
    plain = {test: bench.Outcome("passed") for test in guarded}
    plain["tests.test_a::test_skip"] = bench.Outcome("skipped")
    plain["tests.test_a::test_xfail"] = bench.Outcome("xfailed")
    found = bench.differences(run("plain", plain), run("guard", guarded))
    assert [(d.test, d.plain, d.guarded) for d in found] == [
        ("tests.test_a::test_ok[trio]", "passed", "failed"),
        ("tests.test_a::test_reuse", "passed", "failed"),
    ]
    # the second plain run fails both: only a failure without the guard's hand is flaky
    again = run("plain", {t: bench.Outcome("failed") for t in guarded})
    real, flaky = bench.split_flaky(found, [run("plain", plain)], again)
    assert [d.test for d in real] == ["tests.test_a::test_ok[trio]", "tests.test_a::test_reuse"]
    assert flaky == [] and real[0].plain_again == "failed"
    plain_only = [bench.Difference("t", "guard", "passed", "failed", "AssertionError", "")]
    real, flaky = bench.split_flaky(plain_only, [run("plain", {"t": bench.Outcome("failed")})])
    assert (real, [d.test for d in flaky]) == ([], ["t"])


def test_rounds_rotate_the_modes_and_report_median_ratios() -> None:
    assert [bench.rotated(n) for n in range(4)] == [
        ("plain", "guard", "exec"), ("guard", "exec", "plain"), ("exec", "plain", "guard"),
        ("plain", "guard", "exec")]
    rounds = [{"plain": timed("plain", 10, 8), "guard": timed("guard", 11, 8.4),
               "exec": timed("exec", 9, 8)} for _ in range(2)]
    rounds.append({"plain": timed("plain", 20, 8), "guard": timed("guard", 20, 16),
                   "exec": timed("exec", 20, 8)})  # a round the machine's load spoiled
    guard, exec_ = bench.overheads(rounds)
    assert (guard.mode, guard.wall, guard.cpu) == ("guard", 1.1, 1.05)
    assert guard.cpu_range == (1.05, 2.0) and exec_.wall_range == (0.9, 1.0)


def test_a_difference_seen_in_several_rounds_is_listed_once() -> None:
    passed, failed = bench.Outcome("passed"), bench.Outcome("failed", "AssertionError")
    one_round = {"plain": run("plain", {"t": passed}), "guard": run("guard", {"t": failed}),
                 "exec": run("exec", {"t": passed})}
    [diff] = bench.all_differences([one_round, one_round])
    assert (diff.test, diff.mode, diff.plain, diff.guarded) == ("t", "guard", "passed", "failed")


def timed(mode: str, wall: float, cpu: float) -> object:
    return bench.ModeRun(mode=mode, command=[], returncode=0, wall=wall, cpu=cpu, hung=False,
                         outcomes={}, log="")


def test_a_project_s_plugin_is_loaded_in_every_mode(tmp_path: Path) -> None:
    project = bench.PROJECTS["openai-per-test-loops"]
    folder = bench.write_plugins(tmp_path, project)
    assert "loop_scope=\"function\"" in (folder / f"{bench.PLUGIN}.py").read_text()
    for mode in bench.MODES:
        command = bench.mode_command(mode, tmp_path, project, tmp_path / "j.xml")
        assert command[command.index(bench.PLUGIN) - 1] == "-p"
    assert bench.PLUGIN not in bench.mode_command("plain", tmp_path, bench.PROJECTS["openai"],
                                                  tmp_path / "j.xml")


def test_exec_summary_is_read_from_the_output() -> None:
    text = ("==== 1 failed ====\n"
            "loopdoctor exec: guard on in 2 Python process(es); 1 cross-loop use(s):\n"
            "  1x httpx.AsyncClient created at a.py:1, used at a.py:2 from a loop other than "
            "its owner (closed)\n")
    summary = bench.exec_summary(text)
    assert summary[0].endswith("1 cross-loop use(s):")
    assert summary[1].startswith("1x httpx.AsyncClient created at a.py:1")


def test_unknown_projects_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        bench.parse_args(["--projects", "httpx,nope"])
    assert exit_.value.code == 2
    assert "unknown project(s) nope" in capsys.readouterr().err


def test_every_pin_is_an_sdist_with_a_sha256() -> None:
    for project in bench.PROJECTS.values():
        assert len(project.sha256) == 64
        assert project.timeout > 0 and project.pytest_args


def test_a_hang_is_killed_with_every_process_it_started(tmp_path: Path) -> None:
    (tmp_path / "test_hang.py").write_text(
        "import subprocess, sys, time\n\n\n"
        "def test_hang():\n"
        "    sleeper = 'import os, time; os.setsid(); time.sleep(60)'\n"
        "    subprocess.Popen([sys.executable, '-c', sleeper])  # leaves the process group\n"
        "    time.sleep(60)\n"
    )
    project = bench.Project(name="t", dist="t", version="0", sha256="0" * 64,
                            pytest_args=("test_hang.py",), timeout=10)  # pytest starts first
    out = tmp_path / "out"
    out.mkdir()
    venv = Path(sys.prefix)
    result = bench.run_mode("plain", project, venv, tmp_path, out, prefix=[])
    assert result.hung and result.outcomes == {}
    assert result.wall < 10 + 2 * 5 + 10  # the bound, SIGTERM's and SIGKILL's grace, margin
    assert result.leftovers == 1  # the setsid sleeper, found by the run's marker and killed


def test_a_cached_sdist_with_the_wrong_sha256_is_refused_and_removed(tmp_path: Path) -> None:
    project = bench.PROJECTS["httpx"]
    sdist = tmp_path / "sdists" / f"httpx-{project.version}.tar.gz"
    sdist.parent.mkdir()
    sdist.write_bytes(b"not the release")
    with pytest.raises(bench.SetupError, match=r"sha256 .* but the table pins"):
        bench.fetch_sdist(project, tmp_path)
    assert not sdist.exists()


def test_the_guard_s_share_of_a_profile_is_the_time_in_loopdoctor_s_own_code(
    tmp_path: Path,
) -> None:
    from loopdoctor.guard import binding

    profiler = cProfile.Profile()
    profiler.runcall(lambda: [binding.short_path(f"x/site-packages/{n}.py") for n in range(999)])
    profiler.dump_stats(tmp_path / "guard.prof")
    share = bench.guard_share(tmp_path / "guard.prof")
    assert share["calls"] == 999 and 0 < share["guard"] < share["total"]
    assert bench.guard_share(tmp_path / "absent.prof") == {}


def test_profile_mode_runs_guard_mode_in_one_process(tmp_path: Path) -> None:
    command = bench.mode_command("profile", tmp_path, bench.PROJECTS["openai"], tmp_path / "p.xml")
    assert command[1:6] == ["-m", "cProfile", "-o", str(tmp_path / "p.prof"), "-m"]
    assert command[-3:] == ["--loopdoctor-guard", "-n", "0"]
    httpx = bench.mode_command("profile", tmp_path, bench.PROJECTS["httpx"], tmp_path / "p.xml")
    assert httpx[-1] == "--loopdoctor-guard"  # no xdist in its venv
