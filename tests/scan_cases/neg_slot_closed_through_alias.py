# negative for: LD201
# A slot its owner empties and closes: the shutdown hook takes the client out of the slot
# (deleting it, or setting it to None) and closes it through a local name. The next use
# makes a new client on the loop running then: the owner manages the client's lifetime,
# not a cache. Closed but left in the slot, it is still one client for every loop (reported).
import aiohttp
import httpx


class SessionRegistry:
    _session: aiohttp.ClientSession
    _active: bool = False

    @staticmethod
    def get() -> aiohttp.ClientSession:
        if not SessionRegistry._active:
            SessionRegistry._session = aiohttp.ClientSession()
            SessionRegistry._active = True
        return SessionRegistry._session

    @staticmethod
    async def close() -> None:
        if SessionRegistry._active:
            session = SessionRegistry._session
            del SessionRegistry._session
            SessionRegistry._active = False
            await session.close()


_http: httpx.AsyncClient | None = None


def http() -> httpx.AsyncClient:
    global _http
    if _http is None:
        _http = httpx.AsyncClient()
    return _http


async def close_http() -> None:
    global _http
    client = _http
    _http = None
    if client is not None:
        await client.aclose()


_kept: httpx.AsyncClient | None = None


def kept() -> httpx.AsyncClient:
    global _kept
    if _kept is None:
        _kept = httpx.AsyncClient()  # error: LD201 "_kept" "AsyncClient"
    return _kept


async def close_kept() -> None:
    client = _kept
    if client is not None:
        await client.aclose()
