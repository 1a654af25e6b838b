# negative for: LD201
# A model server keeps its clients in a singleton factory. `PredictorClients` is reached only
# by the request handlers, through a model called as an object (`await model(payload)`, the
# local declared a `BaseModel` by `cast`: a call of `BaseModel.__call__`, so of each override)
# and by the shutdown a signal handler schedules on the running loop: the server runs one loop
# per process, and the signal handler runs on that loop's thread. Reported: a singleton whose
# model is called through a local of no declared type (`ExplainerClients`: nothing is seen
# calling that `__call__`), and one only a signal handler's shutdown uses (`AuditClients`:
# no request handler is evidence of a server).
import asyncio
import signal
from typing import cast

import httpx
from fastapi import FastAPI


class PredictorClients:
    _instance = None
    _client: httpx.AsyncClient | None = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def client(self, host: str) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=host)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()


class ExplainerClients:
    _instance = None
    _client: httpx.AsyncClient | None = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def client(self, host: str) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=host)  # error: LD201 "ExplainerClients._client" "singleton"
        return self._client


class AuditClients:
    _instance = None
    _client: httpx.AsyncClient | None = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url="http://audit")  # error: LD201 "AuditClients._client" "singleton"
        return self._client


class BaseModel:
    async def __call__(self, payload: dict) -> dict:
        raise NotImplementedError


class RemoteModel(BaseModel):
    def __init__(self, host: str) -> None:
        self.host = host

    @property
    def _http(self) -> httpx.AsyncClient:
        return PredictorClients().client(self.host)

    async def _remote_predict(self, payload: dict) -> dict:
        return (await self._http.post("/predict", json=payload)).json()

    async def predict(self, payload: dict) -> dict:
        return await self._remote_predict(payload)

    async def __call__(self, payload: dict) -> dict:
        return await self.predict(payload)


class Explainer:
    def __init__(self, host: str) -> None:
        self.host = host

    async def __call__(self, payload: dict) -> dict:
        client = ExplainerClients().client(self.host)
        return (await client.post("/explain", json=payload)).json()


class DataPlane:
    def __init__(self) -> None:
        self.models: dict[str, object] = {}

    async def infer(self, name: str, payload: dict) -> dict:
        model = self.models[name]
        model = cast(BaseModel, model)
        return await model(payload)

    async def explain(self, name: str, payload: dict) -> dict:
        explainer = self.models[name]
        return await explainer(payload)


class ModelServer:
    def __init__(self) -> None:
        self.plane = DataPlane()
        self.app = FastAPI()
        self.app.add_api_route("/v1/models/{name}:predict", self.predict, methods=["POST"])
        self.app.add_api_route("/v1/models/{name}:explain", self.explain, methods=["POST"])

    async def predict(self, name: str, payload: dict) -> dict:
        return await self.plane.infer(name, payload)

    async def explain(self, name: str, payload: dict) -> dict:
        return await self.plane.explain(name, payload)

    def register_signal_handler(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda sig, frame: self.stop(sig))

    def stop(self, sig: int) -> None:
        async def shutdown() -> None:
            await PredictorClients().close()
            await AuditClients().client().post("/stopped", json={"signal": sig})

        asyncio.create_task(shutdown())
