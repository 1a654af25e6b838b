# A process-wide runtime keeps an API client that a sync helper closes in a new loop
# (reported). Each `evaluate()` makes a new Evaluation whose constructor makes its own client
# of the same class and runs it in a fresh loop: that client is never the runtime's, so each
# loop has one of its own (silent). An Evaluation handed the runtime's client instead shares
# it with every loop (reported).
import asyncio

import httpx


class Jobs:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def submit(self, path: str) -> None:
        await self._http.post(path)


class ApiClient:
    _http: httpx.AsyncClient

    def __init__(self) -> None:
        self._http = httpx.AsyncClient()
        self._jobs = Jobs(self._http)

    @property
    def jobs(self) -> Jobs:
        return self._jobs

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    async def ping(self) -> None:
        await self._http.get("/ping")

    async def close(self) -> None:
        await self._http.aclose()


class Runtime:
    def __init__(self) -> None:
        self.client = ApiClient()


RUNTIME = Runtime()


def close_client(client: ApiClient) -> None:
    asyncio.run(client.close())  # error: LD103 "ApiClient._http"


def shutdown() -> None:
    close_client(RUNTIME.client)


async def submit(client: ApiClient, name: str) -> None:
    await client.ping()
    await client.jobs.submit("/" + name)


class Evaluation:
    def __init__(self, name: str) -> None:
        self.name = name
        self.client: ApiClient = ApiClient()

    async def run(self) -> None:
        await submit(self.client, self.name)


def evaluate(name: str) -> None:
    evaluation = Evaluation(name)
    if name:
        return asyncio.run(evaluation.run())
    return asyncio.run(evaluation.run())


class SharedEvaluation:
    def __init__(self, name: str, client: ApiClient) -> None:
        self.name = name
        self.client = client

    async def run(self) -> None:
        await submit(self.client, self.name)


def evaluate_shared(name: str) -> None:
    evaluation = SharedEvaluation(name, RUNTIME.client)
    asyncio.run(evaluation.run())  # error: LD103 "ApiClient._http"
