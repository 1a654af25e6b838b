# A library's sync method asks for the current event loop and never uses it: its callers'
# worker threads (an executor, asgiref's sync_to_async) have no current loop, so the call
# raises "There is no current event loop in thread", and on the main thread it makes a loop
# nothing runs. Safe forms stay silent: the loop used, read by a nested callback, asked for
# in a coroutine (where it is the running loop), in a property (read by the coroutines that
# use it), and no loop asked for at all.
import asyncio


class Client:
    def __init__(self, connection):
        self._connection = connection

    def publish(self, topic, payload):
        loop = asyncio.get_event_loop()  # error: LD503 "loop" "publish" "never used"
        self._connection.send(topic, payload)

    def publish_later(self, topic, payload):
        loop = asyncio.get_event_loop()
        loop.call_soon(self._connection.send, topic, payload)

    def publish_with_callback(self, topic, payload):
        loop = asyncio.get_event_loop()

        def send():
            loop.call_soon(self._connection.send, topic, payload)
        return send

    async def publish_async(self, topic, payload):
        loop = asyncio.get_event_loop()
        self._connection.send(topic, payload)

    @property
    def lock(self):
        loop = asyncio.get_event_loop()
        return asyncio.Lock()

    def publish_plain(self, topic, payload):
        self._connection.send(topic, payload)
