# LD103: a sync wrapper makes a new loop per call; the client outlives every loop.
# negative for: LD103
import asyncio

from anthropic import AsyncAnthropic


class Assistant:
    def __init__(self):
        self.client = AsyncAnthropic()

    def ask(self, question):
        return asyncio.run(self._ask(question))  # error: LD103 "`ask`" "Assistant.client"

    def ask_with_own_loop(self, question):
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(self._ask(question))  # error: LD103 "ask_with_own_loop" "Assistant.client"
        finally:
            loop.close()

    async def _ask(self, question):
        return await self.client.messages.create(model="m", max_tokens=10, messages=[])


class SelfContained:
    def ask(self, question):
        return asyncio.run(self._ask(question))  # owns its client: silent

    async def _ask(self, question):
        async with AsyncAnthropic() as client:
            return await client.messages.create(model="m", max_tokens=10, messages=[])


def ask_fresh_assistant(question):
    return asyncio.run(Assistant()._ask(question))  # a new instance per call: silent
