"""pytest plugin: fail fast on cross-loop use instead of hanging.

``pytest --loopdoctor-guard`` (or ``loopdoctor_guard = true`` in the ini file) turns the guard on
for the whole run, before the conftest files are imported; ``@pytest.mark.loopdoctor_guard`` or
the ``loopdoctor_guard`` fixture turns it on for one test. ``loopdoctor_endpoint`` yields the
base_url of a fake OpenAI server on loopback.

A test during which a cross-loop use was recorded fails with the guard's message, even when a
library swallowed the ``CrossLoopError`` or turned it into another error (a test that catches it
itself, with ``pytest.raises`` say, passes). Each use is attached to the test's report, so the
end-of-run summary is right under pytest-xdist and in warn mode too. The messages name the test
and the fixture that made the object.

Loaded in every pytest run of the environment, so importing it costs nothing: the guard and the
endpoint are imported only when asked for.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

MARKER = "loopdoctor_guard"
USE_PROPERTY = "loopdoctor_guard"  # report.user_properties: one line per cross-loop use
ERROR_PROPERTY = "loopdoctor_guard_error"  # ... and per error of the guard itself
_NOT_USER_CODE = ("site-packages", "dist-packages", os.sep + "loopdoctor" + os.sep,
                  os.path.dirname(os.__file__))


class _Now:
    """The test being run and the fixture being set up, for the guard's messages."""

    test: str | None = None
    fixtures: list[str] = []  # noqa: RUF012 - one process-wide stack

    @classmethod
    def context(cls) -> Any:
        if cls.test is None:
            return None
        from loopdoctor.guard.binding import Context

        return Context(cls.test, cls.fixtures[-1] if cls.fixtures else None)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("loopdoctor")
    group.addoption(
        "--loopdoctor-guard", action="store_true", default=False,
        help="raise loopdoctor.CrossLoopError when an async HTTP client (httpx, openai, ...) "
             "is used from an event loop it does not belong to, instead of hanging",
    )
    parser.addini(MARKER, type="bool", default=False,
                  help="turn the loopdoctor guard on for the whole run")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    if early_config.known_args_namespace.loopdoctor_guard or early_config.getini(MARKER):
        _install(early_config)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: run this test with the loopdoctor guard on")
    if _enabled_for_the_run(config):
        _install(config)


def _install(config: pytest.Config) -> None:
    from loopdoctor import guard

    if not guard.installed():
        guard.install()
        config.add_cleanup(guard.uninstall)
    _start_reporting()


def _start_reporting() -> None:
    from loopdoctor.guard import binding, runtime

    binding.set_context(_Now.context)
    runtime.take_pending()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[Any]:
    _Now.test = item.nodeid
    try:
        if item.get_closest_marker(MARKER) is None:
            return (yield)
        from loopdoctor import guard

        _start_reporting()
        with guard.guarded():
            return (yield)
    finally:
        _Now.test = None


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    _Now.fixtures.append(f"fixture `{fixturedef.argname}` (scope={fixturedef.scope})")
    try:
        return (yield)
    finally:
        _Now.fixtures.pop()


@pytest.fixture
def loopdoctor_guard() -> Iterator[ModuleType]:
    """The guard on for this test; yields :mod:`loopdoctor.guard` (``events()``, ...)."""
    from loopdoctor import guard

    _start_reporting()
    with guard.guarded():
        yield guard


@pytest.fixture(scope="session")
def loopdoctor_endpoint() -> Iterator[str]:
    """The base_url of a fake OpenAI server on 127.0.0.1 (chat completions echo the user)."""
    from loopdoctor.endpoint.server import Endpoint

    with Endpoint() as endpoint:
        yield endpoint.base_url


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    runtime = sys.modules.get("loopdoctor.guard.runtime")
    if runtime is None:
        return report
    raised = call.excinfo is not None and isinstance(call.excinfo.value, runtime.CrossLoopError)
    if raised:
        report.longrepr = _user_frames_only(call.excinfo)
    uses = runtime.take_pending()
    for event, _ in uses:
        report.user_properties.append((USE_PROPERTY, _one_line(runtime, event)))
    for error in _new_internal_errors(runtime):
        report.user_properties.append((ERROR_PROPERTY, error))
    hidden = [event for event, error in uses if error is not None and not _reached_user(error)]
    if hidden and not raised:
        _fail_with(report, "\n\n".join(dict.fromkeys(event.message for event in hidden)))
    return report


def _fail_with(report: pytest.TestReport, message: str) -> None:
    """Fail the report with the guard's message: the library hid or changed the error."""
    title = "loopdoctor guard: a cross-loop use was recorded, and its CrossLoopError never " \
            "reached the test (a library swallowed it or raised something else)"
    failure = f"{report.longrepr}\n\n" if report.failed else ""
    report.outcome = "failed"
    report.longrepr = f"{failure}{title}\n\nloopdoctor.CrossLoopError: {message}"


def _reached_user(error: BaseException) -> bool:
    """Whether the error was last caught (or is being raised) in the user's own code."""
    tb = error.__traceback__
    return tb is not None and not any(
        part in tb.tb_frame.f_code.co_filename for part in _NOT_USER_CODE
    )


_reported_errors = [0]


def _new_internal_errors(runtime: ModuleType) -> list[str]:
    errors = runtime.internal_errors()
    new, _reported_errors[0] = errors[_reported_errors[0]:], len(errors)
    return new


def _one_line(runtime: ModuleType, event: Any) -> str:
    return (f"{event.kind} created at {runtime.relative(event.created_at)}, owned by "
            f"{event.owner}, used from {event.user} at {runtime.relative(event.used_at)}")


class _Summary:
    """The uses and guard errors attached to reports, gathered where the terminal is."""

    uses: dict[str, list[str]] = {}  # noqa: RUF012 - one per process
    errors: list[str] = []  # noqa: RUF012


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for name, value in report.user_properties:
        if name == USE_PROPERTY:
            _Summary.uses.setdefault(value, []).append(report.nodeid)
        elif name == ERROR_PROPERTY:
            _Summary.errors.append(value)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if not (_Summary.uses or _Summary.errors):
        return
    terminalreporter.section("loopdoctor guard")
    for line, tests in _Summary.uses.items():
        more = f" (and {len(tests) - 1} more)" if len(tests) > 1 else ""
        terminalreporter.line(f"{line}, in {tests[0]}{more}")
    if _Summary.errors:
        terminalreporter.line(f"the guard itself failed {len(_Summary.errors)} time(s), each "
                              f"call went on unchecked; first: {_Summary.errors[0]}")


def _enabled_for_the_run(config: pytest.Config) -> bool:
    return bool(config.getoption("loopdoctor_guard") or config.getini(MARKER))


def _user_frames_only(excinfo: pytest.ExceptionInfo[BaseException]) -> Any:
    """The failure as the test's own frames and the message, without the SDK's internals."""
    user = excinfo.traceback.filter(
        lambda entry: not any(part in str(entry.path) for part in _NOT_USER_CODE)
    )
    if user:
        excinfo.traceback = user
    return excinfo.getrepr(style="short", chain=False)
