"""The pytest plugin, run for real in a child pytest (pytester) against the fake endpoint."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.timeout(60)

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


def test_with_the_flag_the_bug_fails_fast_with_the_message(suite: pytest.Pytester) -> None:
    started = time.monotonic()
    result = suite.runpytest_subprocess("--loopdoctor-guard", "-p", "no:cacheprovider",
                                        timeout=45)
    assert time.monotonic() - started < 30
    result.assert_outcomes(passed=3, failed=1)
    failure = result.stdout.str().split("test_two_threads_share_one_client ___")[1]
    assert "CrossLoopError: " in failure
    assert "is used from an event loop it does not belong to" in failure
    assert "(thread worker-" in failure
    assert "test_suite.py:15 in shared_client" in failure
    assert "site-packages" not in failure.split("short test summary")[0]
    result.stdout.fnmatch_lines(["*loopdoctor guard*", "*owned by loop#*used from loop#*"])


def test_without_the_flag_the_same_suite_hangs_until_killed(suite: pytest.Pytester) -> None:
    result = suite.runpytest_subprocess(
        "-p", "no:cacheprovider", "--timeout=3", "--timeout-method=thread", timeout=45
    )
    output = result.stdout.str() + result.stderr.str()
    assert "+ Timeout +" in output, output  # pytest-timeout's banner: the test hung
    hung = output.split("+ Timeout +", 1)[1]
    assert "in test_two_threads_share_one_client" in hung  # the stack it hung in
    assert result.ret != 0


def test_the_ini_option_turns_it_on(suite: pytest.Pytester) -> None:
    suite.makeini("[pytest]\nloopdoctor_guard = true\n")
    result = suite.runpytest_subprocess("-p", "no:cacheprovider", "-k", "threads", timeout=45)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*CrossLoopError*"])


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, loopdoctor.guard.pytest_plugin\n"
        "heavy = {'asyncio', 'httpx', 'httpx2', 'openai', 'loopdoctor.guard.runtime', 'uvicorn'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=30)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
