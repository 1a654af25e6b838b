"""The fake endpoint, exercised with the real SDKs and HTTP clients over loopback."""

from __future__ import annotations

import asyncio
import importlib
import subprocess
import sys
import time
from typing import Any

import aiohttp
import anthropic
import httpx
import openai
import pytest

from loopdoctor.endpoint.process import SERVE, EndpointProcess
from loopdoctor.endpoint.server import FAULTS_HEADER, Endpoint, Faults
from loopdoctor.run.clients import KINDS

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
    http = importlib.import_module(KINDS["openai"].http)
    truncated = (openai.APIConnectionError, http.RemoteProtocolError)
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


def test_the_endpoint_process_imports_no_cli_and_stops_when_its_stdin_closes() -> None:
    served = subprocess.run([sys.executable, "-X", "importtime", "-m", SERVE, "latency=0.01"],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
    assert served.returncode == 0, served.stderr[-2000:]
    assert "serving the fake LLM endpoint at http://127.0.0.1:" in served.stdout
    imported = {line.rpartition("|")[2].strip() for line in served.stderr.splitlines()}
    assert "uvicorn" in imported
    assert not imported & {"typer", "loopdoctor.cli", "rich"}


# -- Anthropic's Messages API and the plain echo, for the other kinds of client -------------

def messages(endpoint: Endpoint, cell: str, faults: str = "", stream: bool = False,
             retries: int = 0) -> Any:
    async def call() -> Any:
        async with anthropic.AsyncAnthropic(base_url=endpoint.cell_base_url(cell), api_key="k",
                                            max_retries=retries) as client:
            result = await client.messages.create(
                model="m", max_tokens=64, messages=[{"role": "user", "content": TEXT}],
                stream=stream, extra_headers={FAULTS_HEADER: faults})
            return [event async for event in result] if stream else result

    return asyncio.run(call())


def test_the_anthropic_sdk_gets_its_message_back(endpoint: Endpoint) -> None:
    reply = messages(endpoint, "anthropic")
    assert [block.text for block in reply.content] == [TEXT]
    assert reply.stop_reason == "end_turn"


def test_an_anthropic_stream_has_the_messages_api_event_sequence(endpoint: Endpoint) -> None:
    events = messages(endpoint, "anthropic-stream", stream=True)
    types = [event.type for event in events]
    assert types[:2] == ["message_start", "content_block_start"]
    assert types[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    deltas = [event.delta.text for event in events if event.type == "content_block_delta"]
    assert len(deltas) > 1 and "".join(deltas) == TEXT


def test_an_anthropic_error_status_is_retried_by_its_sdk_and_counted(endpoint: Endpoint) -> None:
    with pytest.raises(anthropic.InternalServerError, match="loopdoctor fault: status 503"):
        messages(endpoint, "anthropic-status", faults="status=503,retry_after=0", retries=1)
    assert endpoint.stats("anthropic-status")["requests"] == 2


@pytest.mark.parametrize("stream", [False, True])
def test_the_echo_answers_raw_http_clients(endpoint: Endpoint, stream: bool) -> None:
    async def post() -> list[str]:
        url = endpoint.cell_base_url("echo-raw") + "/echo" + ("?stream=1" if stream else "")
        async with aiohttp.ClientSession() as session, session.post(url, data=TEXT) as response:
            return [piece.decode() async for piece, _ in response.content.iter_chunks()]

    pieces = asyncio.run(post())
    assert "".join(pieces) == TEXT
    assert len(pieces) > 1 if stream else len(pieces) == 1


def test_a_question_can_carry_its_own_faults(endpoint: Endpoint) -> None:
    """For callers that cannot set a header: the tag is part of the question, and echoed."""
    tagged = f"{TEXT} {Faults(latency=0.3).tag()}"
    started = time.perf_counter()
    with httpx.Client() as client:
        answer = client.post(endpoint.base_url + "/echo", content=tagged).text
    assert time.perf_counter() - started >= 0.3
    assert answer == tagged


def test_an_unknown_path_is_a_404_and_not_counted(endpoint: Endpoint) -> None:
    with httpx.Client() as client:
        assert client.post(endpoint.cell_base_url("none") + "/embeddings").status_code == 404
    assert endpoint.stats("none")["requests"] == 0
