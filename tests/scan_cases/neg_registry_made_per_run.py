# The safe form of ld302_registry_on_a_singleton: the manager that keeps the tokens is made
# for one run, inside the loop that uses it, so each Token's lock serves that loop only.
import asyncio

import httpx


class Token:
    def __init__(self) -> None:
        self.value = ""
        self.alock = asyncio.Lock()


class AuthManager:
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


async def refresh_all(keys: list[str]) -> list[str]:
    manager = AuthManager()
    return await asyncio.gather(*(manager.refresh(key) for key in keys))
