"""The fake endpoint, exercised with the real openai SDK over loopback."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import openai
import pytest

from loopdoctor.endpoint.process import EndpointProcess
from loopdoctor.endpoint.server import FAULTS_HEADER, Endpoint, Faults
from loopdoctor.run.sdk import detect

pytestmark = pytest.mark.timeout(30)
TEXT = "the quick brown fox jumps over the lazy dog"


def chat(endpoint: Endpoint, cell: str, faults: str = "", stream: bool = False,
         retries: int = 0, timeout: float = 10) -> Any:
    async def call() -> Any:
        async with openai.AsyncOpenAI(base_url=endpoint.cell_base_url(cell), api_key="k",
                                      max_retries=retries, timeout=timeout) as client:
            result = await client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": TEXT}], stream=stream,
                extra_headers={FAULTS_HEADER: faults},
            )
            if stream:
                return [chunk async for chunk in result]
            return result

    return asyncio.run(call())


def test_a_completion_echoes_the_last_user_message(endpoint: Endpoint) -> None:
    assert chat(endpoint, "echo").choices[0].message.content == TEXT


def test_a_stream_comes_in_chunks_that_join_to_the_message(endpoint: Endpoint) -> None:
    chunks = chat(endpoint, "stream", stream=True)
    pieces = [c.choices[0].delta.content for c in chunks if c.choices[0].delta.content]
    assert len(pieces) > 1
    assert "".join(pieces) == TEXT
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_models_are_listed(endpoint: Endpoint) -> None:
    async def models() -> list[str]:
        async with openai.AsyncOpenAI(base_url=endpoint.base_url, api_key="k") as client:
            return [m.id async for m in client.models.list()]

    assert asyncio.run(models()) == ["loopdoctor-echo"]


def test_an_error_status_is_retried_by_the_sdk_and_counted(endpoint: Endpoint) -> None:
    with pytest.raises(openai.InternalServerError):
        chat(endpoint, "status", faults="status=503,retry_after=0", retries=2)
    assert endpoint.stats("status")["requests"] == 3  # the first try and two retries


def test_latency_delays_the_answer(endpoint: Endpoint) -> None:
    started = time.perf_counter()
    chat(endpoint, "latency", faults="latency=0.3")
    assert time.perf_counter() - started >= 0.3


def test_interval_spaces_the_stream_chunks(endpoint: Endpoint) -> None:
    started = time.perf_counter()
    chunks = chat(endpoint, "interval", faults="interval=0.1", stream=True)
    pieces = [c for c in chunks if c.choices[0].delta.content]
    assert len(pieces) > 1
    assert time.perf_counter() - started >= 0.1 * len(pieces)


def test_a_stalled_request_stays_in_flight(endpoint: Endpoint) -> None:
    with pytest.raises(openai.APITimeoutError):
        chat(endpoint, "stall", faults="stall", timeout=0.5)
    assert endpoint.stats("stall")["in_flight"] == 1


def test_a_connection_dropped_mid_stream_truncates_it(endpoint: Endpoint) -> None:
    truncated = (openai.APIConnectionError, detect().http_module().RemoteProtocolError)
    with pytest.raises(truncated):
        chat(endpoint, "drop", faults="drop_after=1", stream=True)


def test_counters_follow_connections_per_cell(endpoint: Endpoint) -> None:
    async def two_requests_one_connection() -> None:
        async with openai.AsyncOpenAI(base_url=endpoint.cell_base_url("conn"),
                                      api_key="k") as client:
            for _ in range(2):
                await client.models.list()
            assert endpoint.stats("conn")["connections_open"] == 1

    asyncio.run(two_requests_one_connection())
    stats = endpoint.stats("conn")
    assert (stats["requests"], stats["connections_opened"]) == (2, 1)
    deadline = time.monotonic() + 5
    while endpoint.stats("conn")["connections_open"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert endpoint.stats("conn")["connections_open"] == 0


def test_faults_read_back_what_they_print() -> None:
    faults = Faults(latency=0.5, status=429, retry_after=1.0)
    assert Faults.parse(str(faults)) == faults
    with pytest.raises(ValueError, match="unknown fault 'latncy'"):
        Faults.parse("latncy=1")


def test_the_endpoint_runs_in_a_process_of_its_own() -> None:
    with EndpointProcess() as endpoint:
        async def ask() -> str:
            async with openai.AsyncOpenAI(base_url=endpoint.cell_base_url("p"),
                                          api_key="k") as client:
                reply = await client.chat.completions.create(
                    model="m", messages=[{"role": "user", "content": "hi"}])
                return reply.choices[0].message.content

        assert asyncio.run(ask()) == "hi"
        assert endpoint.all_stats()["p"]["requests"] == 1
