# A constructor that keeps the loop its caller gives (`loop or asyncio.get_event_loop()`) and
# makes a part that takes the current loop without passing it that one: an asyncio primitive
# (up to Python 3.9), a project class of the same idiom. Whenever the caller chooses a loop
# other than the current one, the part waits on the current loop's futures while the object
# runs on its own (aioapns' pool lock, hbmqtt's connected event and plugin manager).
# negative for: LD303
import asyncio


class PluginManager:
    def __init__(self, namespace, loop=None):
        if loop is not None:
            self._loop = loop
        else:
            self._loop = asyncio.get_event_loop()
        self.namespace = namespace

    def fire(self, coro):
        return asyncio.ensure_future(coro, loop=self._loop)


class ConnectionPool:
    def __init__(self, size, loop=None):
        self.loop = loop or asyncio.get_event_loop()
        self.size = size
        self._lock = asyncio.Lock()  # error: LD304 "ConnectionPool._lock" "asyncio.Lock" "keeps the loop its caller gives in `loop`"

    async def acquire(self):
        async with self._lock:
            return await self.loop.create_connection(asyncio.Protocol, "example.org", 443)


class MqttClient:
    def __init__(self, client_id, loop=None):
        if loop is None:
            loop = asyncio.get_event_loop()
        self._loop = loop
        self.client_id = client_id
        self._connected = asyncio.Event()  # error: LD304 "MqttClient._connected" "asyncio.Event" "does not pass it here"
        self.plugins = PluginManager("client")  # error: LD304 "MqttClient.plugins" "PluginManager"

    async def connected(self):
        await self._connected.wait()
