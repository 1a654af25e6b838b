"""pytest plugin: fail fast on cross-loop use instead of hanging.

``pytest --loopdoctor-guard`` (or ``loopdoctor_guard = true`` in the ini file) turns the guard on
for the whole run; ``@pytest.mark.loopdoctor_guard`` or the ``loopdoctor_guard`` fixture turns it
on for one test. ``loopdoctor_endpoint`` yields the base_url of a fake OpenAI server on loopback.

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
_NOT_USER_CODE = ("site-packages", "dist-packages", os.sep + "loopdoctor" + os.sep,
                  os.path.dirname(os.__file__))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("loopdoctor")
    group.addoption(
        "--loopdoctor-guard", action="store_true", default=False,
        help="raise loopdoctor.CrossLoopError when an async HTTP client (httpx, openai, ...) "
             "is used from an event loop it does not belong to, instead of hanging",
    )
    parser.addini(MARKER, type="bool", default=False,
                  help="turn the loopdoctor guard on for the whole run")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: run this test with the loopdoctor guard on")
    if _enabled_for_the_run(config):
        from loopdoctor import guard

        guard.install()
        config.add_cleanup(guard.uninstall)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[Any]:
    if item.get_closest_marker(MARKER) is None:
        return (yield)
    from loopdoctor import guard

    with guard.guarded():
        return (yield)


@pytest.fixture
def loopdoctor_guard() -> Iterator[ModuleType]:
    """The guard on for this test; yields :mod:`loopdoctor.guard` (``events()``, ...)."""
    from loopdoctor import guard

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
    if call.excinfo is not None and _is_cross_loop_error(call.excinfo.value):
        report.longrepr = _user_frames_only(call.excinfo)
    return report


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if not _enabled_for_the_run(config):
        return
    from loopdoctor import guard

    seen = guard.events()
    if not seen:
        return
    terminalreporter.section("loopdoctor guard")
    for event in seen:
        terminalreporter.line(
            f"{event.kind} created at {guard.relative(event.created_at)}, owned by {event.owner}"
            f", used from {event.user} at {guard.relative(event.used_at)}"
        )


def _enabled_for_the_run(config: pytest.Config) -> bool:
    return bool(config.getoption("loopdoctor_guard") or config.getini(MARKER))


def _is_cross_loop_error(exc: BaseException) -> bool:
    guard = sys.modules.get("loopdoctor.guard")
    return guard is not None and isinstance(exc, guard.CrossLoopError)


def _user_frames_only(excinfo: pytest.ExceptionInfo[BaseException]) -> Any:
    """The failure as the test's own frames and the message, without the SDK's internals."""
    user = excinfo.traceback.filter(
        lambda entry: not any(part in str(entry.path) for part in _NOT_USER_CODE)
    )
    if user:
        excinfo.traceback = user
    return excinfo.getrepr(style="short", chain=False)
