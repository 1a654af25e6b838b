"""The retrying SDKs' backoff: skipped and recorded in every client a cell is given, the user's
too, with the same verdicts as when it is waited out; loud when an SDK no longer has the method
it is skipped through."""

from __future__ import annotations

import asyncio
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from loopdoctor.endpoint.server import Endpoint
from loopdoctor.run.cell_report import CellReport, Requests
from loopdoctor.run.clients import KINDS, Ask, backoff, installed
from loopdoctor.run.harness.explain import explain
from loopdoctor.run.harness.plan import preload
from loopdoctor.run.harness.runner import Cell, CellResult, RunOptions
from loopdoctor.run.harness.session import execute
from loopdoctor.run.verdict import Outcome

pytestmark = pytest.mark.timeout(180)
TIMEOUT = 5.0  # the default: room for a loaded machine
# The SDKs that retry a cross-loop error: anthropic on both stacks, openai on httpx only.
RETRYING = [name for name in ("anthropic", "openai")
            if installed(KINDS[name].library) and (name == "anthropic"
                                                   or KINDS[name].http == "httpx")]
SDKS = [name for name in ("anthropic", "openai") if installed(KINDS[name].library)]
SDK_CLIENTS = {"anthropic": "anthropic.AsyncAnthropic", "openai": "openai.AsyncOpenAI"}
# One cached client for the whole process, as a service keeps it; ``real`` makes the same client
# with its backoff behind a descriptor the harness does not wrap: it waits as in production.
CACHED = """\
import functools

import {module}


class RealBackoff({sdk}):
    _calculate_retry_timeout = functools.partialmethod({sdk}._calculate_retry_timeout)


@functools.cache
def fast(base_url, api_key):
    return {sdk}(base_url=base_url, api_key=api_key)


@functools.cache
def real(base_url, api_key):
    return RealBackoff(base_url=base_url, api_key=api_key)
"""


def run_one(scenario: str, strategy: str, kind: str) -> CellResult:
    cells = [Cell(scenario, strategy)]
    report = execute(cells, RunOptions(timeout=TIMEOUT, client=kind,
                                       preload=preload(cells, kind)))
    return report.results[0]


@pytest.mark.parametrize("kind", RETRYING)
def test_loop_churn_on_a_shared_client_is_masked_without_sitting_through_the_backoffs(
    kind: str
) -> None:
    churn = run_one("loop-churn", "global", kind)
    assert churn.outcome is Outcome.MASKED
    retried = churn.requests.server_saw - churn.requests.made
    assert retried >= 20  # nearly every one of the 30 bridge calls found a dead loop's pool
    assert churn.requests.retries == retried  # every retry went through the skipped backoff
    assert churn.requests.backoff_skipped >= 0.375 * retried  # the SDK's 0.5 s, jitter -25 %
    said = re.search(r"(\d+) retries skipped ([\d.]+) s of the SDK's backoff", churn.explanation)
    assert said and int(said[1]) == retried, churn.explanation


@pytest.mark.parametrize("kind", SDKS)
def test_the_hooked_sdk_asks_its_backoff_through_the_hook(
    kind: str, endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fails when an SDK stops computing its backoff in ``_calculate_retry_timeout``: a real
    client against a 503 that asks for a 30 s wait, retried twice (the SDKs' default), at once."""
    owner = backoff.hook_owner(type(KINDS[kind].new("http://127.0.0.1:9/v1", "k")))
    assert owner is not None
    monkeypatch.setattr(owner, backoff.HOOK, vars(owner)[backoff.HOOK])  # unwrapped after it
    cell = f"hook-{kind}"
    client = backoff.fast_forward(KINDS[kind].new(endpoint.cell_base_url(cell), "k"))
    before = (backoff.SKIPPED.retries, backoff.SKIPPED.seconds)
    ask = Ask(endpoint.base_url, "[loopdoctor-faults: status=503,retry_after=30] hi", False)

    async def ask_once() -> None:
        async for _ in KINDS[kind].ask(client, ask):
            pass

    started = time.perf_counter()
    with pytest.raises(Exception, match="503"):
        asyncio.run(ask_once())
    assert time.perf_counter() - started < 30  # not the 60 s the SDK asked for
    assert endpoint.stats(cell)["requests"] == 3
    assert backoff.SKIPPED.retries - before[0] == 2
    assert backoff.SKIPPED.seconds - before[1] == pytest.approx(60.0)


@pytest.mark.parametrize("kind", SDKS)
def test_a_client_without_the_hook_keeps_its_real_wait_and_says_so(kind: str) -> None:
    sdk = KINDS[kind].new("http://127.0.0.1:9/v1", "k")
    changed = type("Changed", (type(sdk),), {backoff.HOOK: None})  # as if the SDK renamed it
    client = changed(base_url="http://127.0.0.1:9/v1", api_key="k")
    unhooked = backoff.SKIPPED.unhooked
    assert backoff.fast_forward(client) is client
    assert backoff.SKIPPED.unhooked == unhooked + 1
    assert getattr(client, backoff.HOOK) is None
    waited = CellReport(seconds=6.0, requests=Requests(made=2, server_saw=3, backoff_waited=True))
    assert "could not skip it in this client" in explain(Outcome.MASKED, waited, TIMEOUT)


def gate(loopdoctor, factory: str, kind: str) -> dict[str, dict]:
    ran = loopdoctor("run", "--factory", factory, "--client", kind, "--format", "json",
                     "--timeout", str(TIMEOUT))
    return {cell["scenario"]: cell for cell in ran.json()["cells"]}


@pytest.mark.parametrize("kind", RETRYING)
def test_a_users_factory_gets_the_same_verdicts_with_its_backoff_skipped_or_waited(
    kind: str, loopdoctor, tmp_path: Path
) -> None:
    module, _ = SDK_CLIENTS[kind].split(".")
    (tmp_path / "llm.py").write_text(CACHED.format(module=module, sdk=SDK_CLIENTS[kind]))
    with ThreadPoolExecutor(2) as pool:
        fast, real = pool.map(lambda fn: gate(loopdoctor, f"llm:{fn}", kind), ("fast", "real"))
    assert {name: cell["outcome"] for name, cell in fast.items()} == {
        name: cell["outcome"] for name, cell in real.items()}
    assert fast["loop-churn"]["outcome"] == "MASKED"
    for name, cell in fast.items():  # each retry was the user's client's, its backoff skipped
        retried = cell["requests"]["server_saw"] - cell["requests"]["made"]
        if cell["outcome"] == "MASKED":
            assert cell["requests"]["retries"] == retried, name
            assert cell["requests"]["backoff_skipped"] >= 0.375 * retried, name
    churn = real["loop-churn"]
    assert "retries" not in churn["requests"]  # out of the harness's reach: waited out
    retried = churn["requests"]["server_saw"] - churn["requests"]["made"]
    assert churn["seconds"] >= 0.375 * retried
    assert "could not skip it in this client" in churn["explanation"]
