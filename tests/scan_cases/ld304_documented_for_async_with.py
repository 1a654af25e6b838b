# negative for: LD304
# Connections keep `get_event_loop()` when made and nothing here makes one. `Client` says in
# its docstring that it is made in `async with` (inside a coroutine, where the current loop is
# the running one), and its base `Connection` is made only as a `Client`: silent. `Listener`
# says nothing of where it is made: reported.
import asyncio


class Connection:
    def __init__(self, host: str) -> None:
        self.host = host
        self.loop = asyncio.get_event_loop()

    async def _connect(self) -> None:
        await self.loop.getaddrinfo(self.host, 161)


class Client(Connection):
    """An SNMP client. Must be used with ``async with``:

    .. code-block:: python

       async with snmplib.Client("127.0.0.1") as client:
           ...
    """

    async def __aenter__(self) -> "Client":
        await self._connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


class Listener:
    """Receives traps."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.loop = asyncio.get_event_loop()  # error: LD304 "Listener.loop" "get_event_loop"

    async def listen(self) -> None:
        await self.loop.getaddrinfo(self.host, 162)
