# Tests that create and close their own loop: each test is an entry point, silent.
# negative for: LD103, LD501
import asyncio

import pytest
from openai import AsyncOpenAI


class Fixture:
    def __init__(self):
        self.client = AsyncOpenAI()

    async def ping(self):
        return await self.client.models.list()


@pytest.fixture
def ready():
    fixture = Fixture()
    loop = asyncio.new_event_loop()
    loop.run_until_complete(fixture.ping())
    loop.close()
    return fixture


def test_ping(ready):
    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(ready.ping())
    finally:
        loop.close()
