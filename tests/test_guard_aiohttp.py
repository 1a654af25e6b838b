"""The guard on aiohttp.ClientSession, against the fake endpoint over loopback."""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest
from racing import in_threads, race

from loopdoctor import guard
from loopdoctor.endpoint.server import Endpoint
from loopdoctor.guard import CrossLoopError

aiohttp = pytest.importorskip("aiohttp")

pytestmark = pytest.mark.timeout(20, method="thread")
BODY = {"model": "m", "messages": [{"role": "user", "content": "ping"}]}
CROSS_LOOP_SYMPTOMS = re.compile(
    "Event loop is closed|Timeout context manager should be used inside a task"
    "|attached to a different loop|is bound to a different event loop"
)


def make_session() -> Any:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1))


async def ask(session: Any, base_url: str) -> str:
    async with session.post(f"{base_url}/chat/completions", json=BODY) as response:
        return (await response.json())["choices"][0]["message"]["content"]


# -- the patterns that break a shared session ------------------------------------------------

class Cached:
    """A session cached across loops, as a module-level getter does."""

    def __init__(self) -> None:
        self.session: Any = None

    def get(self) -> Any:
        if self.session is None:
            self.session = make_session()  # needs a running loop (aiohttp >= 3.9)
        return self.session

    async def ask(self, base_url: str) -> str:
        return await ask(self.get(), base_url)


def sequential_runs(base_url: str, cache: Cached) -> None:
    """CLI mode: one ``asyncio.run`` per call, the session cached across them."""
    for _ in range(2):
        asyncio.run(cache.ask(base_url))


def gateway_bridge(base_url: str, cache: Cached) -> None:
    """A sync tool called inside the running loop runs ``asyncio.run`` in a worker and blocks."""

    async def gateway() -> None:
        await cache.ask(base_url)
        with concurrent.futures.ThreadPoolExecutor(thread_name_prefix="bridge") as pool:
            pool.submit(asyncio.run, cache.ask(base_url)).result(timeout=5)

    asyncio.run(gateway())


def to_thread_run(base_url: str, cache: Cached) -> None:
    """Two live loops: the outer one awaits a thread that runs its own loop."""

    async def outer() -> None:
        await cache.ask(base_url)
        await asyncio.wait_for(
            asyncio.gather(cache.ask(base_url),
                           asyncio.to_thread(asyncio.run, cache.ask(base_url))),
            timeout=5,
        )

    asyncio.run(outer())


def racing_threads(base_url: str, cache: Cached) -> None:
    """Two threads, each ``asyncio.run`` around one call, on a session made by a first loop."""
    asyncio.run(cache.ask(base_url))
    race(lambda: cache.ask(base_url))


PATTERNS = [sequential_runs, gateway_bridge, to_thread_run, racing_threads]


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.__name__ for p in PATTERNS])
def test_without_the_guard_a_shared_session_fails_with_a_misleading_error(
    endpoint: Endpoint, pattern: Callable[[str, Cached], None]
) -> None:
    with pytest.raises(Exception) as caught:  # a hang would end in a TimeoutError
        pattern(endpoint.base_url, Cached())
    assert CROSS_LOOP_SYMPTOMS.search(_chain(caught.value)), _chain(caught.value)


# (pattern, requests from the owning loop, requests from foreign loops)
COUNTS = [(sequential_runs, 1, 1), (gateway_bridge, 1, 1), (to_thread_run, 2, 1),
          (racing_threads, 1, 2)]


@pytest.mark.parametrize(("pattern", "owned", "foreign"), COUNTS,
                         ids=[p.__name__ for p, *_ in COUNTS])
def test_with_the_guard_a_shared_session_raises_fast_before_any_foreign_request(
    guard_on: None, endpoint: Endpoint, pattern: Callable[[str, Cached], None], owned: int,
    foreign: int,
) -> None:
    before = endpoint.stats()["requests"]
    with pytest.raises(CrossLoopError, match=r"^aiohttp\.ClientSession "):
        pattern(endpoint.base_url, Cached())
    assert len(guard.events()) == foreign
    made = endpoint.stats()["requests"] - before
    assert made <= owned, f"the server saw {made} requests: a foreign one got through"


def _chain(exc: BaseException) -> str:
    seen: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(seen) < 5:
        seen.append(f"{type(current).__name__}: {current}")
        current = current.__cause__ or current.__context__
    return " <- ".join(seen)


# -- the patterns that are fine ------------------------------------------------------------

def session_per_loop(base_url: str) -> None:
    async def one_loop() -> None:
        async with make_session() as session:
            await asyncio.gather(ask(session, base_url), ask(session, base_url))

    for _ in range(2):
        asyncio.run(one_loop())
    in_threads(lambda: asyncio.run(one_loop()))


def portal_loop(base_url: str) -> None:
    """One background loop owns the session; other loops submit their calls to it."""
    portal = asyncio.new_event_loop()
    thread = threading.Thread(target=portal.run_forever, name="portal", daemon=True)
    thread.start()
    session = asyncio.run_coroutine_threadsafe(_make_on_loop(), portal).result(5)

    async def via_portal() -> str:
        future = asyncio.run_coroutine_threadsafe(ask(session, base_url), portal)
        return await asyncio.wrap_future(future)

    try:
        asyncio.run(via_portal())
        in_threads(lambda: asyncio.run(via_portal()))
    finally:
        asyncio.run_coroutine_threadsafe(session.close(), portal).result(5)
        portal.call_soon_threadsafe(portal.stop)
        thread.join(timeout=5)
        portal.close()


async def _make_on_loop() -> Any:
    return make_session()


SAFE = [session_per_loop, portal_loop]


@pytest.mark.parametrize("pattern", SAFE, ids=[p.__name__ for p in SAFE])
def test_loop_safe_patterns_stay_silent(
    guard_on: None, endpoint: Endpoint, pattern: Callable[[str], None]
) -> None:
    pattern(endpoint.base_url)
    assert guard.events() == []


# -- the message ---------------------------------------------------------------------------

def test_the_message_names_the_session_both_loops_and_the_creation_site(
    guard_on: None, endpoint: Endpoint
) -> None:
    cache = Cached()
    creation_line = Cached.get.__code__.co_firstlineno + 2
    asyncio.run(cache.ask(endpoint.base_url))

    worker = concurrent.futures.ThreadPoolExecutor(thread_name_prefix="gateway-worker")
    with pytest.raises(CrossLoopError) as caught, worker:
        worker.submit(asyncio.run, cache.ask(endpoint.base_url)).result()

    message = str(caught.value)
    assert message.startswith("aiohttp.ClientSession is bound to a closed event loop")
    assert f"test_guard_aiohttp.py:{creation_line} in get" in message
    assert re.search(r"owned by: +loop#\d+ \(thread MainThread\), closed "
                     r"\(it was created there\)", message)
    assert re.search(r"used from: +loop#\d+ \(thread gateway-worker_0\)", message)
    assert re.search(r"created in:  thread MainThread, inside loop#\d+", message)
    assert "connector" in message and "portal" in message and "close()" in message


def test_a_running_owner_is_named_as_running(guard_on: None, endpoint: Endpoint) -> None:
    with pytest.raises(CrossLoopError, match="does not belong to") as caught:
        gateway_bridge(endpoint.base_url, Cached())
    assert "(thread MainThread), running" in str(caught.value)


# -- a response whose body is read from another loop -----------------------------------------

SLOW_STREAM = {**BODY, "stream": True}


def read_on_another_loop(base_url: str, read: Callable[[Any], Any], first: bool = False) -> Any:
    """A response received on the gateway's loop, its body read by a worker's asyncio.run."""

    async def gateway() -> Any:
        async with make_session() as session, session.post(
            f"{base_url}/chat/completions", json=SLOW_STREAM,
            headers={"x-loopdoctor-faults": "interval=0.1"},
        ) as response:
            if first:
                await response.read()
            with concurrent.futures.ThreadPoolExecutor(thread_name_prefix="reader") as pool:
                return pool.submit(asyncio.run, read(response)).result(timeout=5)

    return asyncio.run(gateway())


async def read_body(response: Any) -> bytes:
    return await response.read()


async def iterate_body(response: Any) -> int:
    return len([chunk async for chunk in response.content.iter_any()])


def test_without_the_guard_a_body_read_on_another_loop_fails_tersely(endpoint: Endpoint) -> None:
    with pytest.raises(RuntimeError, match="attached to a different loop"):
        read_on_another_loop(endpoint.base_url, read_body)


@pytest.mark.parametrize("read", [read_body, iterate_body], ids=["read", "content"])
def test_with_the_guard_a_body_read_on_another_loop_is_explained(
    guard_on: None, endpoint: Endpoint, read: Callable[[Any], Any]
) -> None:
    with pytest.raises(CrossLoopError) as caught:  # a hang would end in a TimeoutError
        read_on_another_loop(endpoint.base_url, read)
    message = str(caught.value)
    assert message.startswith("aiohttp.ClientResponse is used from an event loop")
    assert re.search(r"owned by: +loop#\d+ \(thread MainThread\), running \(its request "
                     r"was sent there\)", message)
    assert re.search(r"used from: +loop#\d+ \(thread reader_0\)", message)
    assert "test_guard_aiohttp.py" in message.split("created at:")[1].splitlines()[0]
    assert re.search(r"created in:  thread MainThread, inside loop#\d+", message)
    assert "await response.read()" in message
    assert len(guard.events()) == 1


def test_a_body_read_to_the_end_on_its_own_loop_can_be_used_anywhere(
    guard_on: None, endpoint: Endpoint
) -> None:
    assert read_on_another_loop(endpoint.base_url, read_body, first=True).startswith(b"data:")
    assert guard.events() == []


# -- install / uninstall ---------------------------------------------------------------------

def _session_methods() -> dict[str, object]:
    return {**{name: aiohttp.ClientSession.__dict__[name]
               for name in ("__init__", "_request", "_ws_connect")},
            "_wait": aiohttp.StreamReader.__dict__["_wait"]}


def test_uninstall_restores_the_session_methods_exactly() -> None:
    originals = _session_methods()
    with guard.guarded("raise"):
        assert all(_session_methods()[name] is not originals[name] for name in originals)
    assert _session_methods() == originals


def test_install_patches_aiohttp_on_first_import() -> None:
    script = (
        "import sys\n"
        "from loopdoctor import guard\n"
        "guard.install()\n"
        "assert 'aiohttp' not in sys.modules\n"
        "import aiohttp\n"
        "assert hasattr(aiohttp.ClientSession._request, '__wrapped__')\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=30)
    assert done.stdout.strip() == "ok", done.stderr
