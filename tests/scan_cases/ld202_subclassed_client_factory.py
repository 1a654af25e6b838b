# LD202 through a helper and a subclass: the cached factory never names a client class;
# negative for: LD202
# its helper returns a subclass of the SDK's async httpx client. The sync twin is fine.
from functools import lru_cache
from typing import Any

import openai


class _SyncHttpxClientWrapper(openai.DefaultHttpxClient):
    def __del__(self) -> None:
        self.close()


class _AsyncHttpxClientWrapper(openai.DefaultAsyncHttpxClient):
    def __del__(self) -> None:
        pass


def _build_sync_httpx_client(base_url: str | None, timeout: Any) -> _SyncHttpxClientWrapper:
    return _SyncHttpxClientWrapper(base_url=base_url or "http://127.0.0.1:8000/v1", timeout=timeout)


def _build_async_httpx_client(base_url: str | None, timeout: Any) -> _AsyncHttpxClientWrapper:
    kwargs = {"base_url": base_url or "http://127.0.0.1:8000/v1", "timeout": timeout}
    return _AsyncHttpxClientWrapper(**kwargs)


@lru_cache
def _cached_sync_httpx_client(base_url: str | None, timeout: Any):
    return _build_sync_httpx_client(base_url, timeout)


@lru_cache
def _cached_async_httpx_client(base_url: str | None, timeout: Any):  # error: LD202 "_cached_async_httpx_client" "DefaultAsyncHttpxClient"
    return _build_async_httpx_client(base_url, timeout)
