# An asyncio primitive made in the constructor of an object the process keeps one of (a
# metaclass singleton, an instance kept in a module global): one primitive for every event
# loop, like a module-level one. The lock is held across an await, so a second loop that
# contends for it meets a lock bound to the first.
import asyncio

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
        self._alock = asyncio.Lock()  # error: LD302 "TokenManager._alock" "singleton" "refresh"

    async def refresh(self, key: str) -> str:
        async with self._alock:
            async with httpx.AsyncClient() as client:
                reply = await client.post("http://127.0.0.1:8000/token", json={"key": key})
            self._tokens[key] = reply.text
            return self._tokens[key]


class RateLimiter:
    def __init__(self, limit: int) -> None:
        self._slots = asyncio.Semaphore(limit)  # error: LD302 "RateLimiter._slots" "_LIMITER"

    async def fetch(self, url: str) -> bytes:
        async with self._slots:
            async with httpx.AsyncClient() as client:
                return (await client.get(url)).content


_LIMITER = RateLimiter(4)
