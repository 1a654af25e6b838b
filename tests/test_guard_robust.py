"""The guard never breaks the code it watches: trio, odd classes, its own errors."""

from __future__ import annotations

import asyncio
import importlib
import logging
import threading
from typing import Any

import pytest

from loopdoctor import guard
from loopdoctor.endpoint.server import Endpoint
from loopdoctor.guard import CrossLoopError, binding

trio = pytest.importorskip("trio")
aiohttp = pytest.importorskip("aiohttp")

pytestmark = pytest.mark.timeout(20, method="thread")
HTTP_STACKS = [name for name in ("httpx", "httpx2") if importlib.util.find_spec(name)]


@pytest.fixture(params=HTTP_STACKS)
def http(request: pytest.FixtureRequest) -> Any:
    return importlib.import_module(request.param)


def _client(http: Any) -> Any:
    return http.AsyncClient(limits=http.Limits(max_connections=1))


async def _get(client: Any, url: str) -> int:
    return (await client.get(url + "/models")).status_code


# -- trio: the run is the owner ---------------------------------------------------------------

def test_under_trio_a_client_reused_by_later_runs_is_fine(
    guard_on: None, endpoint: Endpoint, http: Any
) -> None:
    client = _client(http)
    assert [trio.run(_get, client, endpoint.base_url) for _ in range(3)] == [200, 200, 200]
    assert guard.events() == [] and binding.internal_errors == []


def test_under_trio_two_runs_at_once_sharing_a_client_fail_fast(
    guard_on: None, endpoint: Endpoint, http: Any
) -> None:
    client = _client(http)
    first_done, results = threading.Event(), {}

    async def owner() -> None:
        await _get(client, endpoint.base_url)
        first_done.set()
        await trio.sleep(0.5)  # still running while the other run uses the client

    def run(name: str, main: Any) -> None:
        try:
            results[name] = trio.run(main)
        except BaseException as exc:  # handed to the test
            results[name] = exc

    threads = [threading.Thread(target=run, args=("owner", owner))]
    threads[0].start()
    assert first_done.wait(5)
    run("other", lambda: _get(client, endpoint.base_url))
    threads[0].join(5)
    assert isinstance(results["other"], CrossLoopError), results
    assert "trio run#" in str(results["other"]) and "running" in str(results["other"])


def test_a_client_of_an_asyncio_loop_used_under_trio_fails_fast(
    guard_on: None, endpoint: Endpoint, http: Any
) -> None:
    client = _client(http)
    assert asyncio.run(_get(client, endpoint.base_url)) == 200
    with pytest.raises(CrossLoopError, match=r"used from: +trio run#\d+"):
        trio.run(_get, client, endpoint.base_url)


def test_anyio_on_trio_and_on_asyncio_runs_untouched(guard_on: None, endpoint: Endpoint,
                                                      http: Any) -> None:
    import anyio

    async def per_run() -> list[int]:
        async with _client(http) as client:
            return [await _get(client, endpoint.base_url) for _ in range(2)]

    for backend in ("trio", "asyncio"):
        assert anyio.run(per_run, backend=backend) == [200, 200]
    assert guard.events() == [] and binding.internal_errors == []


# -- classes the registry cannot weakly reference or hash ---------------------------------------

def _slotted_session_class() -> type:
    """aiohttp.ClientSession rebuilt with ``__slots__`` and no ``__weakref__`` (as aiohttp's
    development branch declares it): its real methods, on instances that cannot be weakly
    referenced."""
    original = aiohttp.ClientSession
    defaults = {"_source_traceback"}  # read by __del__, set by __init__ in debug mode only
    namespace = {name: value for name, value in vars(original).items()
                 if name not in {"__dict__", "__weakref__", "__setattr__", *original.ATTRS}
                 or name in defaults}
    namespace["__slots__"] = tuple(set(original.ATTRS) - defaults)
    return type("ClientSession", (), namespace)


def test_a_session_without_weakref_is_tracked_and_caught(
    endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    slotted = _slotted_session_class()
    monkeypatch.setattr(aiohttp, "ClientSession", slotted)

    async def make() -> Any:
        return slotted()

    async def ask(session: Any) -> int:
        async with session.get(endpoint.base_url + "/models") as response:
            return response.status

    with guard.guarded("raise"):
        session = asyncio.run(make())
        with pytest.raises(TypeError):
            __import__("weakref").ref(session)
        with pytest.raises(CrossLoopError, match=r"created at: .*test_guard_robust.py:\d+ in make"):
            asyncio.run(ask(session))
        assert binding.internal_errors == []
        unused = asyncio.run(make())
        key = id(unused)
        assert binding._bindings[key].ref() is None
        del unused
        assert key not in binding._bindings  # forgotten when finalised


def test_an_unhashable_client_subclass_is_tracked(guard_on: None, endpoint: Endpoint,
                                                 http: Any) -> None:
    class Client(http.AsyncClient):  # type: ignore[name-defined,misc]
        __slots__ = ("label",)

        def __eq__(self, other: object) -> bool:  # and so no __hash__
            return isinstance(other, Client)

    client = Client()
    assert asyncio.run(_get(client, endpoint.base_url)) == 200
    with pytest.raises(CrossLoopError, match=r"\(.*Client\) is bound to a closed event loop"):
        asyncio.run(_get(client, endpoint.base_url))
    assert binding.internal_errors == []


def test_an_error_of_the_guard_is_logged_once_and_the_call_goes_on(
    guard_on: None, endpoint: Endpoint, http: Any, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object) -> None:
        raise KeyError("registry broke")

    monkeypatch.setattr(binding, "current_run", broken)
    client = http.AsyncClient(limits=http.Limits(max_keepalive_connections=0))
    with caplog.at_level(logging.WARNING, logger="loopdoctor.guard"):
        for _ in range(3):
            assert asyncio.run(_get(client, endpoint.base_url)) == 200
    assert len(binding.internal_errors) == 3
    assert caplog.text.count("internal error") == 1
