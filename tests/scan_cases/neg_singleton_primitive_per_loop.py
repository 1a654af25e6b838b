# The safe forms of ld302_singleton_primitive: the singleton keeps one lock per event loop,
# looked up by the running loop; a limiter that each caller makes for its own run.
import asyncio
import weakref

import httpx


class Singleton(type):
    _instances: dict = {}

    def __call__(cls, *args, **kwargs):
        if cls not in cls._instances:
            cls._instances[cls] = super().__call__(*args, **kwargs)
        return cls._instances[cls]


class TokenManager(metaclass=Singleton):
    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}
        self._locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _alock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if loop not in self._locks:
            self._locks[loop] = asyncio.Lock()
        return self._locks[loop]

    async def refresh(self, key: str) -> str:
        async with self._alock():
            async with httpx.AsyncClient() as client:
                reply = await client.post("http://127.0.0.1:8000/token", json={"key": key})
            self._tokens[key] = reply.text
            return self._tokens[key]


class RateLimiter:
    def __init__(self, limit: int) -> None:
        self._slots = asyncio.Semaphore(limit)

    async def fetch(self, url: str) -> bytes:
        async with self._slots:
            async with httpx.AsyncClient() as client:
                return (await client.get(url)).content


async def fetch_all(urls: list[str]) -> list[bytes]:
    limiter = RateLimiter(4)
    return await asyncio.gather(*(limiter.fetch(url) for url in urls))
