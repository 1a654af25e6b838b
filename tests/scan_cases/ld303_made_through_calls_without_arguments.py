# A factory method that only its own object calls, with no argument (`self._connect()`), from
# a sync method that a module-level sync function calls, again with no argument
# (`pool.warm_up()`): a call that passes nothing is still an edge, so the way up ends in the
# library's sync API and the channel is made outside a running loop (LD303). The same chain
# started from a coroutine makes it inside the loop that uses it: silent. A call through an
# object typed by a base class (`config.make_conn()`, `config: Config`) names the base's
# method: which override runs depends on what the caller hands in, so it is no evidence that
# this override's object is made outside a loop (LD304, the preview rule, as when unseen).
import grpc


class Conn:
    def __init__(self) -> None:
        self.channel = grpc.aio.insecure_channel("localhost:50051")  # error: LD303 "insecure_channel" "made outside"


class Pool:
    def _connect(self) -> Conn:
        return Conn()

    def warm_up(self) -> None:
        self.conn = self._connect()


def build_pool() -> Pool:
    pool = Pool()
    pool.warm_up()
    return pool


class LoopConn:
    def __init__(self) -> None:
        self.channel = grpc.aio.insecure_channel("localhost:50051")


class LoopPool:
    def _connect(self) -> LoopConn:
        return LoopConn()

    def warm_up(self) -> None:
        self.conn = self._connect()


async def serve() -> None:
    pool = LoopPool()
    pool.warm_up()
    await pool.conn.channel.channel_ready()


class Config:
    def make_conn(self) -> object:
        raise NotImplementedError


class HandedConn:
    def __init__(self) -> None:
        self.channel = grpc.aio.insecure_channel("localhost:50051")  # error: LD304 "insecure_channel"


class GrpcConfig(Config):
    def make_conn(self) -> HandedConn:
        return HandedConn()


class Files:
    def __init__(self, config: Config) -> None:
        self.conn = config.make_conn()
