"""The cell process's surroundings: loopback only, pools as small as the scenario asks, and one
TLS context shared by every client (cells speak plain HTTP, so no client can tell)."""

from __future__ import annotations

import asyncio
import functools
import importlib
import ipaddress
import socket
import ssl
import sys
from typing import Any

LOOPBACK_NAMES = {"localhost"}
HTTPX_LIBRARIES = ("httpx2", "httpx")


class NotLoopbackError(ConnectionRefusedError):
    """loopdoctor refused a connection that would leave this machine."""


def is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def refuse(host: str | None) -> NotLoopbackError:
    return NotLoopbackError(
        f"loopdoctor refused a connection to {host!r}: cells may only talk to the loopback "
        "endpoint (does your factory ignore its base_url argument?)"
    )


def loopback_only() -> None:
    """Make every asyncio and blocking TCP connection to a non-loopback host fail at once."""
    original_async = asyncio.BaseEventLoop.create_connection
    original_sync = socket.create_connection

    @functools.wraps(original_async)
    async def create_connection(self: Any, protocol_factory: Any, host: Any = None,
                                *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("sock") is None and not is_loopback(host):
            raise refuse(host)
        return await original_async(self, protocol_factory, host, *args, **kwargs)

    @functools.wraps(original_sync)
    def create_sync_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> Any:
        if not is_loopback(address[0]):
            raise refuse(address[0])
        return original_sync(address, *args, **kwargs)

    asyncio.BaseEventLoop.create_connection = create_connection  # type: ignore[method-assign]
    socket.create_connection = create_sync_connection


def share_tls_context(http: str) -> None:
    """Give every client of an httpx library that verifies by default one TLS context, built
    without the system's CA bundle (loading it costs about 30 ms, per client otherwise): cells
    speak plain HTTP to loopback and may connect nowhere else, so no client verifies with it."""
    transports = importlib.import_module(f"{http}._transports.default")
    original = transports.create_ssl_context
    shared = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)

    @functools.wraps(original)
    def create_ssl_context(verify: Any = True, cert: Any = None, trust_env: bool = True) -> Any:
        if verify is True and cert is None:
            return shared
        return original(verify=verify, cert=cert, trust_env=trust_env)

    transports.create_ssl_context = create_ssl_context


def limit_async_pools(max_connections: int) -> None:
    """Give every async HTTP pool (httpx2, httpx, aiohttp: those imported) at most
    ``max_connections``."""
    for http in HTTPX_LIBRARIES:
        if http in sys.modules:
            module = sys.modules[http]
            limits = module.Limits(max_connections=max_connections,
                                   max_keepalive_connections=max_connections)
            _force_keyword(module.AsyncHTTPTransport, "limits", limits)
    if "aiohttp" in sys.modules:
        _force_keyword(sys.modules["aiohttp"].TCPConnector, "limit", max_connections)


def _force_keyword(cls: type, keyword: str, value: Any) -> None:
    original = cls.__init__  # type: ignore[misc]

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs[keyword] = value
        original(self, *args, **kwargs)

    cls.__init__ = __init__  # type: ignore[misc]
