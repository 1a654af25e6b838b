"""The guard against the real SDKs and HTTP pools, over loopback to the fake endpoint."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import importlib
import importlib.util
import re
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import openai
import pytest
from racing import in_threads, race

from loopdoctor import guard
from loopdoctor.endpoint.server import FAULTS_HEADER, Endpoint
from loopdoctor.guard import CrossLoopError, binding

# Every case that could hang without the guard is bounded: "thread" kills the whole run.
pytestmark = pytest.mark.timeout(20, method="thread")
HEADERS = {FAULTS_HEADER: "latency=0.02"}
OPENAI_HTTP = importlib.import_module(
    openai.DefaultAsyncHttpxClient.__mro__[1].__module__.split(".")[0]
)  # httpx under openai 2.x, httpx2 under openai 3.x


# -- clients ------------------------------------------------------------------------------

@dataclass
class Stack:
    """How to make an async client and send one request with it."""

    name: str
    make: Callable[[str, int | None], Any]  # (base_url, max_connections) -> client
    call: Callable[[Any], Awaitable[str]]


def _openai_client(max_retries: int | None) -> Callable[[str, int | None], Any]:
    def make(base_url: str, max_connections: int | None) -> Any:
        http_client = None
        if max_connections is not None:
            limits = OPENAI_HTTP.Limits(max_connections=max_connections)
            http_client = openai.DefaultAsyncHttpxClient(limits=limits)
        retries = {} if max_retries is None else {"max_retries": max_retries}
        return openai.AsyncOpenAI(base_url=base_url, api_key="sk-test", default_headers=HEADERS,
                                  http_client=http_client, **retries)

    return make


async def _openai_call(client: Any) -> str:
    response = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "ping"}]
    )
    return response.choices[0].message.content


def _httpx_stack(module_name: str) -> Stack:
    http = importlib.import_module(module_name)

    def make(base_url: str, max_connections: int | None) -> Any:
        limits = http.Limits(max_connections=max_connections)
        return http.AsyncClient(base_url=base_url + "/", headers=HEADERS, limits=limits)

    async def call(client: Any) -> str:
        body = {"model": "m", "messages": [{"role": "user", "content": "ping"}]}
        response = await client.post("chat/completions", json=body)
        return response.json()["choices"][0]["message"]["content"]

    return Stack(module_name, make, call)


STACKS = [
    Stack("openai-default-retries", _openai_client(None), _openai_call),
    Stack("openai-max_retries=0", _openai_client(0), _openai_call),
    *(_httpx_stack(name) for name in ("httpx", "httpx2") if importlib.util.find_spec(name)),
]


@pytest.fixture(params=STACKS, ids=[stack.name for stack in STACKS])
def stack(request: pytest.FixtureRequest) -> Stack:
    return request.param


# -- the patterns that break a shared client ------------------------------------------------

def sequential_runs(stack: Stack, client: Any) -> None:
    """CLI mode: one ``asyncio.run`` per call, the client cached across them."""
    for _ in range(3):
        asyncio.run(stack.call(client))


def gateway_bridge(stack: Stack, client: Any) -> None:
    """A sync tool called inside a running loop runs ``asyncio.run`` in a worker and blocks."""

    def tool() -> str:
        with concurrent.futures.ThreadPoolExecutor(thread_name_prefix="bridge") as pool:
            return pool.submit(asyncio.run, stack.call(client)).result()

    async def gateway() -> None:
        await stack.call(client)
        tool()

    asyncio.run(gateway())


def to_thread_run(stack: Stack, client: Any) -> None:
    """Two live loops: the outer one awaits a thread that runs its own loop."""

    async def outer() -> None:
        await stack.call(client)
        await asyncio.gather(stack.call(client), asyncio.to_thread(asyncio.run, stack.call(client)))

    asyncio.run(outer())


def racing_threads(stack: Stack, client: Any) -> None:
    """Two threads, each ``asyncio.run`` around one call, started together on one pool."""
    race(lambda: stack.call(client))


PATTERNS = [sequential_runs, gateway_bridge, to_thread_run, racing_threads]


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.__name__ for p in PATTERNS])
def test_a_shared_client_raises_fast_on_the_first_attempt(
    guard_on: None, endpoint: Endpoint, stack: Stack, pattern: Callable[[Stack, Any], None]
) -> None:
    client = stack.make(endpoint.base_url, 1)
    before = endpoint.stats()["requests"]
    with pytest.raises(CrossLoopError):  # a hang would end in the pattern's own 5 s bound
        pattern(stack, client)
    foreign = guard.events()
    assert len(foreign) == 1, "the SDK retried the error, or the guard fired twice"
    made = endpoint.stats()["requests"] - before
    assert made <= 2, f"the server saw {made} requests: a foreign request got through"


# -- the patterns that are fine ------------------------------------------------------------

def client_per_loop(stack: Stack, base_url: str) -> None:
    """Each loop makes its own client and closes it before the loop ends."""

    async def one_loop() -> None:
        client = stack.make(base_url, 1)
        try:
            await asyncio.gather(stack.call(client), stack.call(client))
        finally:
            await client.close() if hasattr(client, "chat") else await client.aclose()

    for _ in range(2):
        asyncio.run(one_loop())
    in_threads(lambda: asyncio.run(one_loop()))


def client_per_call(stack: Stack, base_url: str) -> None:
    async def one_call() -> str:
        client = stack.make(base_url, None)
        async with client:
            return await stack.call(client)

    asyncio.run(one_call())
    in_threads(lambda: asyncio.run(one_call()))


def portal_loop(stack: Stack, base_url: str) -> None:
    """One background loop owns the client; other loops submit their calls to it."""
    portal = asyncio.new_event_loop()
    thread = threading.Thread(target=portal.run_forever, name="portal", daemon=True)
    thread.start()
    client = stack.make(base_url, 1)

    async def via_portal() -> str:
        future = asyncio.run_coroutine_threadsafe(stack.call(client), portal)
        return await asyncio.wrap_future(future)

    try:
        asyncio.run(via_portal())
        in_threads(lambda: asyncio.run(via_portal()))
    finally:
        portal.call_soon_threadsafe(portal.stop)
        thread.join(timeout=5)
        portal.close()


def sync_client_in_threads(stack: Stack, base_url: str) -> None:
    client = openai.OpenAI(base_url=base_url, api_key="sk-test", default_headers=HEADERS)

    def call() -> str:
        response = client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "ping"}]
        )
        return response.choices[0].message.content

    async def main() -> None:
        await asyncio.gather(*(asyncio.to_thread(call) for _ in range(3)))

    asyncio.run(main())
    asyncio.run(main())


SAFE = [client_per_loop, client_per_call, portal_loop, sync_client_in_threads]


@pytest.mark.parametrize("pattern", SAFE, ids=[p.__name__ for p in SAFE])
def test_loop_safe_patterns_stay_silent(
    guard_on: None, endpoint: Endpoint, stack: Stack, pattern: Callable[[Stack, str], None]
) -> None:
    pattern(stack, endpoint.base_url)
    assert guard.events() == []


# -- the message ---------------------------------------------------------------------------

def _make_client(base_url: str) -> Any:
    return openai.AsyncOpenAI(base_url=base_url, api_key="sk-test", default_headers=HEADERS)


def test_the_message_names_the_object_both_loops_and_the_creation_site(
    guard_on: None, endpoint: Endpoint
) -> None:
    client = _make_client(endpoint.base_url)
    creation_line = _make_client.__code__.co_firstlineno + 1
    asyncio.run(_openai_call(client))

    def in_worker() -> None:
        asyncio.run(_openai_call(client))

    worker = concurrent.futures.ThreadPoolExecutor(thread_name_prefix="gateway-worker")
    with pytest.raises(CrossLoopError) as caught, worker:
        worker.submit(in_worker).result()

    message = str(caught.value)
    assert "is bound to a closed event loop" in message
    assert f"test_guard.py:{creation_line} in _make_client" in message
    assert re.search(r"owned by: +loop#\d+ \(thread MainThread\), closed", message)
    assert re.search(r"used from: +loop#\d+ \(thread gateway-worker_0\)", message)
    assert "openai._base_client.AsyncHttpxClientWrapper" in message
    assert "portal" in message and "aclose()" in message
    assert caught.value.binding is not None and caught.value.binding.owner is not None


def test_a_running_owner_is_named_as_running(guard_on: None, endpoint: Endpoint) -> None:
    client = _make_client(endpoint.base_url)

    async def gateway() -> None:
        await _openai_call(client)
        with concurrent.futures.ThreadPoolExecutor(thread_name_prefix="bridge") as pool:
            pool.submit(asyncio.run, _openai_call(client)).result()

    with pytest.raises(CrossLoopError, match="does not belong to") as caught:
        asyncio.run(gateway())
    assert "(thread MainThread), running" in str(caught.value)


def test_a_client_made_before_install_is_named_by_its_first_use(endpoint: Endpoint) -> None:
    client = _make_client(endpoint.base_url)
    with guard.guarded("raise"):
        asyncio.run(_openai_call(client))
        with pytest.raises(CrossLoopError, match="first seen: "):
            asyncio.run(_openai_call(client))


# -- install / uninstall ---------------------------------------------------------------------

def _patched_methods() -> dict[tuple[type, str], object]:
    return {
        (cls, name): cls.__dict__[name]
        for cls in (OPENAI_HTTP.AsyncClient,)
        for name in ("__init__", "send")
    }


def test_uninstall_restores_the_originals_exactly() -> None:
    originals = _patched_methods()
    guard.install()
    patched = _patched_methods()
    assert all(patched[key] is not originals[key] for key in originals)
    guard.uninstall()
    assert all(_patched_methods()[key] is originals[key] for key in originals)
    assert not binding.active()


def test_install_twice_is_a_no_op() -> None:
    guard.install()
    try:
        patched = _patched_methods()
        guard.install("warn")
        assert _patched_methods() == patched
        assert guard.installed()
    finally:
        guard.uninstall()
    guard.uninstall()
    assert not guard.installed()


def test_install_from_many_threads_patches_once() -> None:
    originals = _patched_methods()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: guard.install(), range(32)))
    try:
        assert all(
            value.__wrapped__ is originals[key] for key, value in _patched_methods().items()
        )
    finally:
        guard.uninstall()


def test_the_context_manager_keeps_an_outer_install() -> None:
    with guard.guarded():
        with guard.guarded():
            pass
        assert guard.installed()
    assert not guard.installed()


def test_a_bad_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="'raise' or 'warn'"):
        guard.install("loud")  # type: ignore[arg-type]


def test_warn_mode_logs_and_lets_the_request_through(
    endpoint: Endpoint, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(guard.MODE_ENV, "warn")
    stack = _httpx_stack(OPENAI_HTTP.__name__)
    no_keepalive = OPENAI_HTTP.Limits(max_keepalive_connections=0)  # nothing bound to a loop
    client = OPENAI_HTTP.AsyncClient(base_url=endpoint.base_url + "/", limits=no_keepalive)
    with guard.guarded(), caplog.at_level("WARNING", logger="loopdoctor.guard"):
        assert asyncio.run(stack.call(client)) == "ping"
        assert asyncio.run(stack.call(client)) == "ping"
    assert "is bound to a closed event loop" in caplog.text


def test_the_events_file_gets_one_line_per_foreign_use(
    guard_on: None, endpoint: Endpoint, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = tmp_path / "events.jsonl"
    monkeypatch.setenv(guard.EVENTS_ENV, str(events))
    client = _make_client(endpoint.base_url)
    asyncio.run(_openai_call(client))
    with pytest.raises(CrossLoopError):
        asyncio.run(_openai_call(client))
    lines = events.read_text().splitlines()
    assert len(lines) == 1 and '"owner_closed": true' in lines[0]


def test_install_patches_on_first_import_and_imports_nothing() -> None:
    script = (
        "import sys\n"
        "from loopdoctor import guard\n"
        "guard.install()\n"
        "assert 'httpx' not in sys.modules and 'httpx2' not in sys.modules\n"
        "import httpx\n"
        "assert hasattr(httpx.AsyncClient.send, '__wrapped__')\n"
        "assert httpx.__spec__.loader.get_resource_reader is not None\n"
        "guard.uninstall()\n"
        "assert not hasattr(httpx.AsyncClient.send, '__wrapped__')\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=30)
    assert done.stdout.strip() == "ok", done.stderr


def test_an_anthropic_client_shared_by_two_loops_fails_fast(
    guard_on: None, endpoint: Endpoint
) -> None:
    anthropic = pytest.importorskip("anthropic")
    client = anthropic.AsyncAnthropic(base_url=endpoint.base_url, api_key="sk-test",
                                      max_retries=0)

    async def ask() -> None:
        with contextlib.suppress(anthropic.NotFoundError):  # the endpoint speaks OpenAI only
            await client.models.list()

    asyncio.run(ask())  # a real request: the pool now belongs to this loop
    with pytest.raises(CrossLoopError, match=r"^httpx2?\.AsyncClient \(anthropic\..*closed"):
        asyncio.run(ask())
    assert len(guard.events()) == 1
