# A singleton keeps one Token per key in a dict, and each Token makes an asyncio.Lock: the
# tokens live as long as the singleton, so each lock is one for the process. A coroutine
# holds it across an await: a second event loop that contends for it meets a lock bound to
# the first.
import asyncio

import httpx


class Singleton(type):
    _instances: dict = {}

    def __call__(cls, *args, **kwargs):
        if cls not in cls._instances:
            cls._instances[cls] = super().__call__(*args, **kwargs)
        return cls._instances[cls]


class Token:
    def __init__(self) -> None:
        self.value = ""
        self.alock = asyncio.Lock()  # error: LD302 "Token.alock" "AuthManager._tokens" "refresh"


class AuthManager(metaclass=Singleton):
    def __init__(self) -> None:
        self._tokens: dict[str, Token] = {}

    def _token(self, key: str) -> Token:
        if key not in self._tokens:
            self._tokens[key] = Token()
        return self._tokens[key]

    async def refresh(self, key: str) -> str:
        token = self._token(key)
        async with token.alock:
            async with httpx.AsyncClient() as client:
                reply = await client.post("http://127.0.0.1:8000/token", json={"key": key})
            token.value = reply.text
            return token.value
