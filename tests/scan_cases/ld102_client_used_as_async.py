# Nothing names the client's class (it is passed in untyped), but it is awaited the way
# negative for: LD102
# only an async client is: it is bound to the caller's loop, and the bridge hands it to a
# second loop. A client used synchronously is not reported.
import asyncio
import threading
import typing as t


def run_async_in_current_loop(coro: t.Awaitable[t.Any]) -> t.Any:
    loop = asyncio.get_event_loop()  # error: LD505 "run_async_in_current_loop" "no current event loop"
    if loop.is_running():
        box: dict = {}

        def run_in_thread():
            new_loop = asyncio.new_event_loop()
            try:
                box["result"] = new_loop.run_until_complete(coro)  # error: LD102 "Embeddings.client" "embeddings.create"
            finally:
                new_loop.close()

        thread = threading.Thread(target=run_in_thread)
        thread.start()
        thread.join()
        return box["result"]
    return loop.run_until_complete(coro)


class Embeddings:
    def __init__(self, client: t.Any, model: str = "text-embedding-3-small"):
        self.client = client
        self.model = model

    def embed_text(self, text: str) -> list[float]:
        return run_async_in_current_loop(self.aembed_text(text))

    async def aembed_text(self, text: str) -> list[float]:
        response = await self.client.embeddings.create(input=text, model=self.model)
        return response.data[0].embedding


class SyncEmbeddings:
    def __init__(self, client: t.Any):
        self.client = client

    def embed_text(self, text: str) -> list[float]:
        return run_async_in_current_loop(self.aembed_text(text))

    async def aembed_text(self, text: str) -> list[float]:
        return self.client.embeddings.create(input=text, model="m").data[0].embedding
