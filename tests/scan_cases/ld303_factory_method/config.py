# negative for: LD303
# A sync factory method says where the object is made only through its callers. `create` is
# called through a parameter the scan cannot type (an interface: `config.create()`, inside
# the coroutine that uses the channel): nothing seen makes a `PerRunConn` outside a loop, so
# it is LD304 (preview), not LD303. `connect` is called by sync code (`connect_default`),
# outside any loop: its `DefaultConn` is made outside a running loop (LD303). A sync helper
# whose only callers are methods nothing is seen to call is no evidence either (`BurstConn`).
from typing import Protocol

import grpc


class PerRunConn:
    def __init__(self, target: str) -> None:
        self.channel = grpc.aio.insecure_channel(target)  # error: LD304 "insecure_channel" "PerRunConn.channel"


class DefaultConn:
    def __init__(self, target: str) -> None:
        self.channel = grpc.aio.insecure_channel(target)  # error: LD303 "insecure_channel" "made outside"


class ModelConfig(Protocol):
    def create(self) -> PerRunConn: ...


class RemoteConfig:
    def __init__(self, target: str) -> None:
        self.target = target

    def create(self) -> PerRunConn:
        return PerRunConn(self.target)

    def connect(self, target: str) -> DefaultConn:
        return DefaultConn(target)


async def ask(config: ModelConfig, question: str) -> str:
    conn = config.create()
    return await conn.channel.unary_unary("/ask")(question)


def connect_default(target: str) -> DefaultConn:
    config = RemoteConfig(target)
    return config.connect(target)


class BurstConn:
    def __init__(self, target: str) -> None:
        self.channel = grpc.aio.insecure_channel(target)  # error: LD304 "insecure_channel" "BurstConn.channel"


class Session:
    """`_open` is sync, but its only caller is a callback method nothing here is seen to
    call: where it runs is the receiver's, so the session's loop too (no LD303 evidence)."""

    def __init__(self, target: str) -> None:
        self.target = target

    def _on_delta(self, text: str) -> BurstConn:
        return self._open(text)

    def _open(self, kind: str) -> BurstConn:
        return BurstConn(self.target + kind)


class StreamConn:
    def __init__(self, target: str) -> None:
        self.channel = grpc.aio.insecure_channel(target)


class BaseSession:
    def _on_created(self, event: str) -> StreamConn:
        return StreamConn(event)


class SubSession(BaseSession):
    """The override calls the base through ``super()`` (the base's method, not the override
    again), and the override's only caller is a coroutine: every `StreamConn` is made on the
    loop that uses it, no LD303 nor LD304."""

    def _on_created(self, event: str) -> StreamConn:
        return super()._on_created(event)

    async def _recv(self, event: str) -> None:
        self._on_created(event)


class LocalConn:
    def __init__(self, target: str) -> None:
        self.channel = grpc.aio.insecure_channel(target)  # error: LD303 "insecure_channel" "made outside"

    @classmethod
    def default(cls) -> "LocalConn":
        """A class method is called through its class's name, like a module function: a
        sync one the project does not call is the library's sync API (made outside a loop)."""
        return cls("localhost:50051")
