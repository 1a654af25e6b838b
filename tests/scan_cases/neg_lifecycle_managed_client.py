# A module-level slot that the application opens at startup and closes (and resets) at
# negative for: LD201
# shutdown: its owner manages the client's lifetime with the loop's. Silent.
import httpx

_http: httpx.AsyncClient | None = None


def start_http() -> None:
    global _http
    _http = httpx.AsyncClient(timeout=30)


async def stop_http() -> None:
    global _http
    if _http is not None:
        await _http.aclose()
        _http = None


def http() -> httpx.AsyncClient:
    if _http is None:
        raise RuntimeError("call start_http() first")
    return _http
