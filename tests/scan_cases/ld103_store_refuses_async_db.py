# A store works over a sync or an async database; its sync methods run the async ones on a
# new loop per call. `Store._sync` first refuses an `AsyncDb` (`if isinstance(self.db,
# AsyncDb): raise`), so the coroutines it runs never reach the async engine through `db`:
# silent. `LooseStore` runs them without that refusal: its `AsyncDb` meets a new loop on
# every call (LD103).
import asyncio
from typing import Any, Callable, Coroutine, Union

from sqlalchemy.ext.asyncio import create_async_engine


class SyncDb:
    def get(self, key: str) -> str:
        return key


class AsyncDb:
    def __init__(self, url: str) -> None:
        self.engine = create_async_engine(url)

    async def get(self, key: str) -> str:
        async with self.engine.connect() as conn:
            return str(await conn.scalar(key))


def _run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


def _run_loose(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)  # error: LD103 "_run_loose" "LooseStore.db"


class Store:
    def __init__(self, db: Union[SyncDb, AsyncDb]) -> None:
        self.db = db

    async def aget(self, key: str) -> str:
        if isinstance(self.db, AsyncDb):
            return await self.db.get(key)
        return await asyncio.to_thread(self.db.get, key)

    def _sync(self, function: Callable[..., Coroutine[Any, Any, Any]], *args: Any) -> Any:
        if isinstance(self.db, AsyncDb):
            raise TypeError("use the async methods with an AsyncDb")
        return _run(function(*args))

    def get(self, key: str) -> str:
        return self._sync(self.aget, key)


class LooseStore:
    def __init__(self, db: Union[SyncDb, AsyncDb]) -> None:
        self.db = db

    async def aget(self, key: str) -> str:
        if isinstance(self.db, AsyncDb):
            return await self.db.get(key)
        return await asyncio.to_thread(self.db.get, key)

    def _sync(self, function: Callable[..., Coroutine[Any, Any, Any]], *args: Any) -> Any:
        return _run_loose(function(*args))

    def get(self, key: str) -> str:
        return self._sync(self.aget, key)
