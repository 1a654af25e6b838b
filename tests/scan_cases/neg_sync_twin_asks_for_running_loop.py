# negative for: LD507
# Sync twins that ask whether a loop runs first (themselves or through a helper), run the
# coroutine on a loop in another thread, serve only the program's own command, or run
# something other than a twin.
import asyncio
import concurrent.futures


def _run(coro):
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


class TransitApi:
    @staticmethod
    async def stations_async() -> list[str]:
        return []

    @staticmethod
    def stations() -> list[str]:
        return _run(TransitApi.stations_async())

    @staticmethod
    def lines() -> list[str]:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(TransitApi.stations_async())
        raise RuntimeError("a loop runs here: await stations_async() instead")

    @staticmethod
    async def refresh() -> None:
        return None

    @staticmethod
    def download() -> None:
        asyncio.run(TransitApi.refresh())


def _in_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class Rails:
    async def generate_async(self, prompt: str) -> str:
        return prompt

    def generate(self, prompt: str) -> str:
        if _in_running_loop():
            raise RuntimeError("inside a loop: await generate_async() instead")
        return asyncio.run(self.generate_async(prompt))

    def execute(self, prompt: str) -> str:
        def execute() -> str:
            return asyncio.run(self.generate_async(prompt))

        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(execute).result()


async def chat_async() -> None:
    return None


def chat() -> None:
    asyncio.run(chat_async())


def main() -> None:
    asyncio.run(TransitApi.stations_async())
    chat()
