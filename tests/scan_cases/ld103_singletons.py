import asyncio

import httpx


class Made:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
            cls._instance.client = httpx.AsyncClient()
        return cls._instance

    async def get(self, url):
        return await self.client.get(url)


class Built:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            instance = super().__new__(cls)
            instance.http = httpx.AsyncClient()
            cls._instance = instance
        return cls._instance

    async def get(self, url):
        return await self.http.get(url)


class RemadeOnEveryCall:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __init__(self):
        self.client = httpx.AsyncClient()

    async def get(self, url):
        async with self.client:
            return await self.client.get(url)


def fetch_made(url):
    return asyncio.run(Made().get(url))  # error: LD103 "Made.client"


def fetch_built(url):
    return asyncio.run(Built().get(url))  # error: LD103 "Built.http"


def fetch_remade(url):
    return asyncio.run(RemadeOnEveryCall().get(url))
