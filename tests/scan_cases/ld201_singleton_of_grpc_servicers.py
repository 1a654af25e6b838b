# negative for: LD201
# Singletons that keep a client made lazily, used only by the coroutine methods of gRPC
# servicers: a subclass of the `*Servicer` a `*_pb2_grpc` module generates, or an object
# handed to its `add_*Servicer_to_server`. A `grpc.aio` server runs them on the one loop it
# serves on: silent. `ExportClients` is also used by a servicer method that a sync export runs
# on a new loop per call, and `AuditClients` by a coroutine of a class no server is given:
# both reported.
import asyncio

import grpc
import httpx
from helloworld import helloworld_pb2_grpc


class GreeterClients:
    _instance = None
    _client: httpx.AsyncClient | None = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def client(self, base_url: str) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=base_url)
        return self._client


class StatusClients:
    _instance = None
    _client: httpx.AsyncClient | None = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def client(self, base_url: str) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=base_url)
        return self._client


class ExportClients:
    _instance = None
    _client: httpx.AsyncClient | None = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def client(self, base_url: str) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=base_url)  # error: LD201 "ExportClients._client" "singleton"
        return self._client


class AuditClients:
    _instance = None
    _client: httpx.AsyncClient | None = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def client(self, base_url: str) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=base_url)  # error: LD201 "AuditClients._client" "singleton"
        return self._client


class Greeter(helloworld_pb2_grpc.GreeterServicer):
    def __init__(self, host: str) -> None:
        self.host = host

    async def SayHello(self, request, context):
        return (await GreeterClients().client(self.host).get(f"/hello/{request.name}")).text

    async def Export(self, request, context):
        return (await ExportClients().client(self.host).get(f"/export/{request.name}")).text


class Status:
    def __init__(self, host: str) -> None:
        self.host = host

    async def Check(self, request, context):
        return (await StatusClients().client(self.host).get(f"/status/{request.name}")).text


class Audit:
    def __init__(self, host: str) -> None:
        self.host = host

    async def Record(self, request, context):
        return (await AuditClients().client(self.host).post(f"/audit/{request.name}")).text


async def serve(host: str) -> None:
    server = grpc.aio.server()
    helloworld_pb2_grpc.add_GreeterServicer_to_server(Greeter(host), server)
    status = Status(host)
    helloworld_pb2_grpc.add_StatusServicer_to_server(status, server)
    server.add_insecure_port("[::]:50051")
    await server.start()
    await server.wait_for_termination()


def export(host: str, name: str) -> str:
    return asyncio.run(Greeter(host).Export(name, None))  # error: LD103 "ExportClients._client"
