"""What the guard used to miss: errors hidden by a library's gather, streamed responses read
from another loop, asyncio primitives made inside one loop and waited on from another."""

from __future__ import annotations

import asyncio
import concurrent.futures
import pickle
import re
import traceback
from typing import Any

import openai
import pytest
from racing import contend

from loopdoctor import guard
from loopdoctor.endpoint.server import Endpoint
from loopdoctor.guard import CrossLoopError

pytestmark = pytest.mark.timeout(20, method="thread")
MESSAGES = [{"role": "user", "content": "ping"}]


# -- langchain-core: gather(return_exceptions=True), then isinstance(r, Exception) -------------

def _chat_model(client: Any) -> Any:
    """The smallest langchain-core chat model over a cached AsyncOpenAI client."""
    chat_models = pytest.importorskip("langchain_core.language_models.chat_models")
    from langchain_core.messages import AIMessage
    from langchain_core.outputs import ChatGeneration, ChatResult

    class CachedClientChat(chat_models.BaseChatModel):
        @property
        def _llm_type(self) -> str:
            return "cached-client"

        def _generate(self, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError

        async def _agenerate(self, messages: Any, *args: Any, **kwargs: Any) -> Any:
            response = await client.chat.completions.create(model="m", messages=MESSAGES)
            text = response.choices[0].message.content
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    return CachedClientChat()


def test_langchain_core_gather_gives_the_guard_s_error_not_its_own(
    guard_on: None, endpoint: Endpoint
) -> None:
    client = openai.AsyncOpenAI(base_url=endpoint.base_url, api_key="sk-test")
    chat = _chat_model(client)
    assert asyncio.run(chat.ainvoke("ping")).content == "ping"
    errors_seen: list[BaseException] = []
    config = {"callbacks": [_on_llm_error(errors_seen.append)]}
    with pytest.raises(CrossLoopError, match="is bound to a closed event loop") as caught:
        asyncio.run(chat.ainvoke("ping", config))  # without the guard's help: AttributeError
    assert len(guard.events()) == 1
    # langchain's own error path ran first (its hasattr(error, "response") said False)
    assert errors_seen == [caught.value]


def _on_llm_error(seen: Any) -> Any:
    from langchain_core.callbacks import AsyncCallbackHandler

    class Recorder(AsyncCallbackHandler):
        async def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
            seen(error)

    return Recorder()


def test_the_error_says_what_it_is_to_whoever_inspects_it() -> None:
    error = CrossLoopError("the message")
    assert str(error) == "the message" and repr(error) == "CrossLoopError('the message')"
    assert getattr(error, "__notes__", None) is None
    assert not hasattr(error, "response") and getattr(error, "status_code", 7) == 7
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is CrossLoopError and again.args == ("the message",)
    assert "loopdoctor.CrossLoopError: the message" in "".join(
        traceback.format_exception_only(type(error), error))
    with pytest.raises(CrossLoopError) as caught:
        error.generations  # noqa: B018 - a consumer treating it as a result
    assert caught.value is error


def test_a_real_one_pickles_without_what_it_knows_of_the_loops(
    guard_on: None, endpoint: Endpoint
) -> None:
    client = openai.AsyncOpenAI(base_url=endpoint.base_url, api_key="sk-test", max_retries=0)
    ask = client.chat.completions.create
    asyncio.run(ask(model="m", messages=MESSAGES))
    with pytest.raises(CrossLoopError) as caught:
        asyncio.run(ask(model="m", messages=MESSAGES))
    assert caught.value.binding is not None  # holds weak references: not picklable
    again = pickle.loads(pickle.dumps(caught.value))
    assert str(again) == str(caught.value) and again.binding is None


# -- a streamed response read from another loop ------------------------------------------------

def test_a_stream_opened_on_one_loop_and_read_on_another_fails_fast(
    guard_on: None, endpoint: Endpoint
) -> None:
    client = openai.AsyncOpenAI(base_url=endpoint.base_url, api_key="sk-test")

    async def open_stream() -> Any:
        return await client.chat.completions.create(model="m", messages=MESSAGES, stream=True)

    async def read(stream: Any) -> str:
        return "".join([chunk.choices[0].delta.content or "" async for chunk in stream])

    async def gateway() -> None:
        stream = await open_stream()
        with concurrent.futures.ThreadPoolExecutor(thread_name_prefix="reader") as pool:
            pool.submit(asyncio.run, read(stream)).result(timeout=5)

    with pytest.raises(CrossLoopError) as caught:
        asyncio.run(gateway())
    message = str(caught.value)
    assert message.startswith("httpx") and ".Response is used from an event loop" in message
    assert "(its request was sent there)" in message and "thread reader_0" in message
    assert "test_guard_gaps.py" in message.split("created at:")[1]
    assert "created in:  thread MainThread, outside any event loop" in message


def test_a_stream_read_on_its_own_loop_is_fine(guard_on: None, endpoint: Endpoint) -> None:
    async def main() -> str:
        async with openai.AsyncOpenAI(base_url=endpoint.base_url, api_key="sk-test") as client:
            stream = await client.chat.completions.create(model="m", messages=MESSAGES,
                                                          stream=True)
            return "".join([c.choices[0].delta.content or "" async for c in stream])

    assert asyncio.run(main()) == "ping"
    assert guard.events() == []


# -- an asyncio primitive made inside a loop, waited on from another ---------------------------


def test_a_lock_made_inside_a_loop_and_waited_on_from_another_is_explained(
    guard_on: None,
) -> None:
    async def make() -> asyncio.Lock:
        lock = asyncio.Lock()
        await contend(lock)
        return lock

    lock = asyncio.run(make())
    assert type(lock) is asyncio.Lock  # nothing per operation for these
    with pytest.raises(CrossLoopError, match=r"^asyncio\.Lock is bound to a closed event loop"
                       ) as caught:
        asyncio.run(contend(lock))
    assert re.search(r"owned by: +loop#\d+ \(thread \?\), closed", str(caught.value))
    assert "created at:  not recorded (made inside a running loop" in str(caught.value)
