# LD103 through dataclass fields and attributes declared on the class: an agent keeps a model
# negative for: LD103
# in a field, the model keeps the client its constructor made; a class declares `session =
# None` and each instance sets its own. The declaration shares nothing; the instance does.
import asyncio
from dataclasses import dataclass

import httpx


@dataclass(init=False)
class ChatModel:
    http: httpx.AsyncClient

    def __init__(self, http: httpx.AsyncClient | None = None):
        self.http = http or httpx.AsyncClient()

    async def complete(self, prompt: str):
        return await self.http.post("/complete", json={"prompt": prompt})


@dataclass
class Agent:
    model: ChatModel

    async def run(self, prompt: str):
        return await self.model.complete(prompt)

    def run_sync(self, prompt: str):
        return asyncio.run(self.run(prompt))  # error: LD103 "`run_sync`" "Agent.model"


class Retriever:
    session = None

    def __init__(self):
        self.session = httpx.AsyncClient()

    async def fetch(self, query: str):
        return await self.session.get("/search", params={"q": query})

    def search(self, query: str):
        return asyncio.run(self.fetch(query))  # error: LD103 "`search`" "Retriever.session"


@dataclass
class PerRunAgent:
    base_url: str

    async def run(self, prompt: str):
        async with httpx.AsyncClient(base_url=self.base_url) as http:
            return await ChatModel(http).complete(prompt)

    def run_sync(self, prompt: str):
        return asyncio.run(self.run(prompt))  # a client per run, closed by its owner: silent


@dataclass
class SyncModel:
    http: httpx.Client

    def complete(self, prompt: str):
        return self.http.post("/complete", json={"prompt": prompt})


@dataclass
class SyncAgent:
    model: SyncModel

    async def run(self, prompt: str):
        return self.model.complete(prompt)

    def run_sync(self, prompt: str):
        return asyncio.run(self.run(prompt))  # a sync client binds to no loop: silent
