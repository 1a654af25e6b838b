"""``loopdoctor run`` on every kind of client: the real SDKs, httpx, httpx2 and aiohttp against
the real endpoint, through the CLI as users call it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from importlib.metadata import requires
from pathlib import Path
from typing import Any

import pytest

from loopdoctor.run.clients import KINDS, installed
from loopdoctor.run.clients import kind as kind_module
from loopdoctor.run.strategies import Global

pytestmark = pytest.mark.timeout(120)
Runner = Callable[..., Any]  # the ``loopdoctor`` fixture of conftest.py
# A scenario of each failure mode: a closed owner loop, a streamed bridge, two live loops.
SCENARIOS = ["cli-sequential", "gateway-bridge-stream", "threadpool", "concurrent-held"]
TIMEOUT = "1.5"
INSTALLED = [name for name, kind in KINDS.items() if installed(kind.library)]

FACTORIES = """
import asyncio
_cached = {}

def _once(name, make):
    if name not in _cached:
        _cached[name] = make()
    return _cached[name]

def openai(base_url, api_key):
    import openai
    return _once("openai", lambda: openai.AsyncOpenAI(base_url=base_url, api_key=api_key))

def anthropic(base_url, api_key):
    import anthropic
    return _once("anthropic",
                 lambda: anthropic.AsyncAnthropic(base_url=base_url, api_key=api_key))

def httpx(base_url, api_key):
    import httpx
    return _once("httpx", lambda: httpx.AsyncClient(base_url=base_url))

def httpx2(base_url, api_key):
    import httpx2
    return _once("httpx2", lambda: httpx2.AsyncClient(base_url=base_url))

def aiohttp(base_url, api_key):
    import aiohttp
    return _once("aiohttp", aiohttp.ClientSession)

def not_a_client(base_url, api_key):
    return object()
"""

CALLS = """
import asyncio

async def echo(client, prompt):
    response = await client.post("echo", content=prompt)
    return response.text

async def streamed(client, prompt, stream=False):
    async with client.stream("POST", "echo" + ("?stream=1" if stream else ""),
                             content=prompt) as response:
        return "".join([piece async for piece in response.aiter_text()])

async def never(client, prompt):
    await asyncio.Event().wait()

async def number(client, prompt):
    return 42

async def raises(client, prompt):
    raise ValueError("the model refused")

def blocking(client, prompt):
    return prompt

async def elsewhere(client, prompt):
    import httpx
    async with httpx.AsyncClient() as other:
        return (await other.post("http://10.1.2.3/v1/echo", content=prompt)).text

def fresh_httpx(base_url, api_key):
    import httpx
    return httpx.AsyncClient(base_url=base_url + "/")
"""


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """The user's package ``myapp``, in the directory the CLI runs in."""
    (tmp_path / "myapp").mkdir()
    (tmp_path / "myapp" / "__init__.py").write_text("")
    (tmp_path / "myapp" / "factories.py").write_text(textwrap.dedent(FACTORIES))
    (tmp_path / "myapp" / "calls.py").write_text(textwrap.dedent(CALLS))
    return tmp_path


def cells(ran: Any) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["strategy"], c["scenario"]): c for c in ran.json()["cells"]}


def run_json(loopdoctor: Runner, *args: str) -> Any:
    ran = loopdoctor("run", *args, "--timeout", TIMEOUT, "--format", "json")
    assert "Traceback" not in ran.stderr, ran.stderr
    return ran


@pytest.mark.parametrize("kind", INSTALLED)
def test_a_cached_client_of_every_kind_fails_the_gate_as_its_kind_does_and_the_recipes_pass(
    app: Path, loopdoctor: Runner, kind: str
) -> None:
    selection = [arg for name in SCENARIOS for arg in ("-s", name)]
    factory = f"myapp.factories:{kind}"
    ran = run_json(loopdoctor, "--client", kind, "--factory", factory, "--strategy",
                   "loop-scoped", "--strategy", "portal", *selection)
    assert ran.code == 1
    found = cells(ran)
    for scenario in SCENARIOS:
        expected = Global.expected_outcome(scenario, KINDS[kind], "loopback")
        assert expected.allows(found[factory, scenario]["outcome"]), found[factory, scenario]
        assert found["loop-scoped", scenario]["outcome"] == "PASS"
        assert found["portal", scenario]["outcome"] == "PASS"
    assert ran.json()["passing"] == ["loop-scoped", "portal"]


def test_a_client_no_kind_fits_is_an_error_that_names_call(
    app: Path, loopdoctor: Runner
) -> None:
    ran = run_json(loopdoctor, "--factory", "myapp.factories:not_a_client", "-s",
                   "cli-sequential")
    [cell] = ran.json()["cells"]
    assert (ran.code, cell["outcome"]) == (1, "ERROR")
    assert "'object': not a client loopdoctor knows how to ask" in cell["explanation"]
    assert "--call MOD:FN" in cell["explanation"]


@pytest.mark.parametrize("call", ["echo", "streamed"])
def test_call_asks_any_client_the_users_way(app: Path, loopdoctor: Runner, call: str) -> None:
    ran = run_json(loopdoctor, "--factory", "myapp.calls:fresh_httpx", "--call",
                   f"myapp.calls:{call}", "-s", "cli-sequential", "-s", "threadpool-stream")
    assert ran.code == 0, ran.stdout
    assert {c["outcome"] for c in ran.json()["cells"]} == {"PASS"}
    assert ran.json()["stack"] == f"--call myapp.calls:{call}"


@pytest.mark.parametrize(("call", "outcome", "message"), [
    ("never", "HANG", "No response for 1.5s"),
    ("number", "ERROR", "--call myapp.calls:number returned 'int', not the answer's text"),
    ("raises", "ERROR", "ValueError: the model refused"),
    ("elsewhere", "ERROR", "refused a connection to '10.1.2.3'"),
])
def test_a_broken_call_is_a_failed_cell_not_a_broken_run(
    app: Path, loopdoctor: Runner, call: str, outcome: str, message: str
) -> None:
    ran = run_json(loopdoctor, "--factory", "myapp.calls:fresh_httpx", "--call",
                   f"myapp.calls:{call}", "-s", "cli-sequential")
    [cell] = ran.json()["cells"]
    assert (ran.code, cell["outcome"]) == (1, outcome)
    assert message in cell["explanation"]


@pytest.mark.parametrize(("args", "message"), [
    (["--call", "myapp.calls:nothere", "--factory", "myapp.calls:fresh_httpx"],
     "'myapp.calls' has no attribute 'nothere'"),
    (["--call", "myapp.nomodule:echo", "--factory", "myapp.calls:fresh_httpx"],
     "cannot import 'myapp.nomodule'"),
    (["--call", "myapp.calls:blocking", "--factory", "myapp.calls:fresh_httpx"],
     "myapp.calls:blocking is not an async function: --call needs async def FN(client, "
     "prompt) -> str"),
    (["--call", "myapp.calls:echo"], "--call asks the clients your --factory returns"),
    (["--client", "grpc"], "unknown client 'grpc'; valid: openai, anthropic, httpx, httpx2, "
                           "aiohttp"),
    (["--client", "aiohttp", "--strategy", "sync-client"],
     "--strategy sync-client cannot be played with --client aiohttp"),
    (["--client", "aiohttp", "--endpoint", "respx"],
     "--endpoint respx mocks httpx and httpx2, not aiohttp"),
])
def test_bad_client_options_exit_2_in_one_line(
    app: Path, loopdoctor: Runner, args: list[str], message: str
) -> None:
    ran = loopdoctor("run", *args)
    assert ran.code == 2
    assert ran.stderr.strip().count("\n") == 0, ran.stderr
    assert message in ran.stderr


PROBE = """
import sys

from loopdoctor.run.scenario import Scenario


def body(ctx):
    libraries = ("openai", "anthropic", "httpx", "httpx2", "aiohttp")
    raise RuntimeError("imported: " + " ".join(m for m in libraries if m in sys.modules))


scenario = Scenario(name="probe", summary="what a cell has imported", requests=0, body=body)
"""


@pytest.mark.parametrize(("client", "imported"), [
    ("aiohttp", "imported: aiohttp."),
    ("httpx", "imported: httpx."),
])
def test_a_cell_imports_only_the_client_library_the_run_uses(
    tmp_path: Path, loopdoctor: Runner, client: str, imported: str
) -> None:
    (tmp_path / "probe").mkdir()
    (tmp_path / "probe" / "probe.py").write_text(textwrap.dedent(PROBE))
    ran = run_json(loopdoctor, "--scenarios", "probe", "-s", "probe", "--strategy", "per-call",
                   "--client", client)
    [cell] = ran.json()["cells"]
    assert cell["explanation"].startswith(f"RuntimeError: {imported}"), cell["explanation"]


def test_a_kinds_stack_is_read_from_its_metadata_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ordering a run's cells asks every built-in strategy's verdict for every cell: each would
    otherwise parse the SDK's metadata again."""
    reads: list[str] = []
    monkeypatch.setattr(kind_module, "requires",
                        lambda dist: reads.append(dist) or requires(dist))
    kind_module.http_dependency.cache_clear()
    try:
        assert {KINDS["openai"].http for _ in range(3)} <= {"httpx", "httpx2"}
        assert reads == ["openai"]
    finally:
        kind_module.http_dependency.cache_clear()


SHARED_TLS = """
import ssl, sys
import {http} as http
from loopdoctor.run.harness import sandbox

sandbox.share_tls_context("{http}")
contexts = [client._transport._pool._ssl_context
            for client in (http.AsyncClient(), http.AsyncClient(), http.AsyncClient(verify=False))]
assert contexts[0] is contexts[1], "one context for the clients that verify by default"
assert contexts[0].cert_store_stats()["x509_ca"] == 0, "no CA bundle loaded"
assert contexts[2] is not contexts[0] and contexts[2].verify_mode == ssl.CERT_NONE
"""


@pytest.mark.parametrize("http", [name for name in ("httpx", "httpx2") if installed(name)])
def test_the_cells_clients_share_one_tls_context_that_loads_no_ca_bundle(http: str) -> None:
    checked = subprocess.run([sys.executable, "-c", SHARED_TLS.format(http=http)],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr[-2000:]
