# A sync factory whose only caller is the constructor of a public class (nothing here makes a
# `Unit`: its users do, from their own sync code, as they call a module-level function): the
# connection is made outside a running loop (LD303). The same factory called only from a
# coroutine makes it inside the loop that uses it: silent.
import grpc


class Conn:
    def __init__(self, target: str) -> None:
        self.channel = grpc.aio.insecure_channel(target)  # error: LD303 "insecure_channel" "made outside"


def open_conn(target: str) -> Conn:
    return Conn(target)


class Unit:
    def __init__(self, target: str) -> None:
        self.conn = open_conn(target)


class PerRunConn:
    def __init__(self, target: str) -> None:
        self.channel = grpc.aio.insecure_channel(target)


def open_per_run(target: str) -> PerRunConn:
    return PerRunConn(target)


async def ping(target: str) -> None:
    conn = open_per_run(target)
    await conn.channel.channel_ready()
