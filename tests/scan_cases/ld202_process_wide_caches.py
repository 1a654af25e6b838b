# LD202: other process-wide caches than functools': Streamlit's resource cache (it outlives
# every rerun of the script, and each rerun's asyncio.run is a new loop) and cachetools.func.
# negative for: LD202
import asyncio

import cachetools.func
import streamlit as st
from cachetools.func import lru_cache as bounded_cache
from openai import AsyncOpenAI, OpenAI


@st.cache_resource
def get_llm() -> AsyncOpenAI:  # error: LD202 "@cache_resource" "get_llm" "AsyncOpenAI"
    return AsyncOpenAI()


@st.cache_resource(ttl=3600)
def get_sync_llm() -> OpenAI:  # a sync client: fine in any cache
    return OpenAI()


@cachetools.func.ttl_cache(maxsize=8, ttl=600)
def client_for(key: str) -> AsyncOpenAI:  # error: LD202 "@ttl_cache" "client_for"
    return AsyncOpenAI(api_key=key)


@bounded_cache(maxsize=4)
def client_per_loop(loop: asyncio.AbstractEventLoop) -> AsyncOpenAI:  # keyed by the loop
    return AsyncOpenAI()


@st.cache_data
def load_prompt(name: str) -> str:  # a data cache of plain values
    return name.upper()


async def ask(question: str) -> str:
    reply = await get_llm().chat.completions.create(model="m", messages=[])
    other = await client_for("k").chat.completions.create(model="m", messages=[])
    mine = await client_per_loop(asyncio.get_running_loop()).chat.completions.create(
        model="m", messages=[])
    return f"{reply}{other}{mine}{load_prompt(question)}{get_sync_llm()}"


def ask_sync(question: str) -> str:  # LD103 names the cache the factory really uses
    return asyncio.run(ask(question))  # error: LD103 "ttl_cache factory" "client_for"
