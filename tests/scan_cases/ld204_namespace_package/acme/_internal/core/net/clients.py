import httpx


def make_async_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=10)
