"""The pytest plugin, run for real in a child pytest (pytester) against the fake endpoint."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]
# Each child pytest bounds its own tests (pytest-timeout), so a hang shows up as a failure with
# every thread's stack; the bound on the child itself only stops one that cannot start or end,
# with room for a loaded machine (xdist starts two more interpreters).
CHILD_TEST_TIMEOUT = ("--timeout=30", "--timeout-method=thread")
CHILD_BOUND = 240
pytestmark = pytest.mark.timeout(CHILD_BOUND + 60)

SUITE = '''
import asyncio
import threading

import openai
import pytest

from loopdoctor import CrossLoopError, guard

HTTP = openai.DefaultAsyncHttpxClient.__mro__[1]


def shared_client(base_url):
    limits = __import__(HTTP.__module__.split(".")[0]).Limits(max_connections=1)
    return openai.AsyncOpenAI(base_url=base_url, api_key="sk-test",
                              http_client=openai.DefaultAsyncHttpxClient(limits=limits),
                              default_headers={"x-loopdoctor-faults": "latency=0.05"})


async def ask(client):
    response = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "ping"}])
    return response.choices[0].message.content


def test_guard_is_on_only_with_the_flag(request):
    assert guard.installed() == request.config.getoption("loopdoctor_guard")


@pytest.mark.loopdoctor_guard
def test_marker(loopdoctor_endpoint):
    client = shared_client(loopdoctor_endpoint)
    asyncio.run(ask(client))
    with pytest.raises(CrossLoopError, match="bound to a closed event loop"):
        asyncio.run(ask(client))


def test_fixture(loopdoctor_guard, loopdoctor_endpoint):
    client = shared_client(loopdoctor_endpoint)
    asyncio.run(ask(client))
    with pytest.raises(CrossLoopError):
        asyncio.run(ask(client))
    assert loopdoctor_guard.events()


def test_two_threads_share_one_client(loopdoctor_endpoint):
    client = shared_client(loopdoctor_endpoint)
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        barrier.wait()
        try:
            asyncio.run(ask(client))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, name=f"worker-{n}") for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
'''


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_suite=SUITE)
    return pytester


def test_with_the_flag_the_bug_fails_with_the_message_instead_of_hanging(
    suite: pytest.Pytester,
) -> None:
    result = suite.runpytest_subprocess("--loopdoctor-guard", "-p", "no:cacheprovider",
                                        *CHILD_TEST_TIMEOUT, timeout=CHILD_BOUND)
    result.assert_outcomes(passed=3, failed=1)
    assert "+ Timeout +" not in result.stdout.str()
    failure = result.stdout.str().split("test_two_threads_share_one_client ___")[1]
    assert "CrossLoopError: " in failure
    assert "is used from an event loop it does not belong to" in failure
    assert "(thread worker-" in failure
    assert "test_suite.py:15 in shared_client" in failure
    assert "site-packages" not in failure.split("short test summary")[0]
    result.stdout.fnmatch_lines(["*loopdoctor guard*", "*owned by loop#*used from loop#*"])


def test_without_the_flag_the_same_suite_hangs_until_killed(suite: pytest.Pytester) -> None:
    # 5 s: 50 times what the test takes when it does not hang (the time this test costs)
    result = suite.runpytest_subprocess(
        "-p", "no:cacheprovider", "-k", "threads", "--timeout=5", "--timeout-method=thread",
        timeout=CHILD_BOUND,
    )
    output = result.stdout.str() + result.stderr.str()
    assert "+ Timeout +" in output, output  # pytest-timeout's banner: the test hung
    hung = output.partition("+ Timeout +")[2]  # pytest-timeout's dump of every thread's stack
    assert "in test_two_threads_share_one_client" in hung
    assert re.search(r"Stack of worker-[12] ", hung) and "in worker" in hung  # the one that lost
    assert result.ret != 0


def test_the_ini_option_turns_it_on(suite: pytest.Pytester) -> None:
    suite.makeini("[pytest]\nloopdoctor_guard = true\n")
    result = suite.runpytest_subprocess("-p", "no:cacheprovider", "-k", "threads",
                                        *CHILD_TEST_TIMEOUT, timeout=CHILD_BOUND)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*CrossLoopError*"])


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, loopdoctor.guard.pytest_plugin\n"
        "heavy = {'asyncio', 'httpx', 'httpx2', 'openai', 'loopdoctor.guard.runtime', 'uvicorn'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=CHILD_BOUND)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


# -- what real suites meet: a session-scoped client on per-test loops, errors hidden by libraries

FIXTURES = '''
import asyncio
import concurrent.futures

import openai
import pytest


@pytest.fixture(scope="session")
def openai_client(loopdoctor_endpoint):
    return openai.AsyncOpenAI(base_url=loopdoctor_endpoint, api_key="sk-test", max_retries=0)


async def ask(client):
    response = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "ping"}])
    return response.choices[0].message.content


@pytest.mark.asyncio
async def test_a(openai_client):
    assert await ask(openai_client) == "ping"


@pytest.mark.asyncio
async def test_b(openai_client):
    assert await ask(openai_client) == "ping"


def test_hidden_by_a_thread_pool(loopdoctor_endpoint):
    client = openai.AsyncOpenAI(base_url=loopdoctor_endpoint, api_key="sk-test")
    asyncio.run(ask(client))
    with concurrent.futures.ThreadPoolExecutor() as pool:
        pool.submit(asyncio.run, ask(client))  # its result is never looked at
'''


@pytest.fixture
def fixtures_suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_fixtures=FIXTURES)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    return pytester


def _run(suite: pytest.Pytester, *args: str) -> pytest.RunResult:
    return suite.runpytest_subprocess("-p", "no:cacheprovider", "-p", "asyncio",
                                      *CHILD_TEST_TIMEOUT, *args, timeout=CHILD_BOUND)


def test_the_fixture_is_named_and_an_error_a_library_swallowed_still_fails_the_test(
    fixtures_suite: pytest.Pytester,
) -> None:
    result = _run(fixtures_suite, "--loopdoctor-guard")
    result.assert_outcomes(passed=1, failed=2)
    test_b, hidden = result.stdout.str().split("___ test_b ___")[1].split("___ test_hidden")
    assert "in tests:    made by fixture `openai_client` (scope=session) on the loop of " \
           "test_fixtures.py::test_a" in test_b
    assert "used by test_fixtures.py::test_b on its own loop" in test_b
    assert "its CrossLoopError never reached the test (a library swallowed it" in hidden
    assert "loopdoctor.CrossLoopError: httpx" in hidden


def test_under_xdist_the_summary_lists_every_use(fixtures_suite: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    result = _run(fixtures_suite, "--loopdoctor-guard", "-p", "xdist", "-n", "2",
                  "--dist", "loadfile")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*= loopdoctor guard =*", "*used from loop#*test_b*",
                                 "*used from loop#*test_hidden_by_a_thread_pool*"])


def test_in_warn_mode_the_summary_lists_every_use(
    fixtures_suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOOPDOCTOR_GUARD", "warn")
    result = _run(fixtures_suite, "--loopdoctor-guard", "-k", "not hidden")
    result.assert_outcomes(passed=1, failed=1)  # test_b meets asyncio's own error
    # openai 3.x lets it through; openai 2.x wraps it in APIConnectionError
    result.stdout.fnmatch_lines(["FAILED *test_b - *"])
    assert "RuntimeError: Event loop is closed" in result.stdout.str()
    result.stdout.fnmatch_lines(["*= loopdoctor guard =*", "*used from loop#*test_b*"])
