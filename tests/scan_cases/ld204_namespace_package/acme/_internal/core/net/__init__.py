from acme._internal.core.net.clients import make_async_client
from acme._internal.core.net.transport import AsyncTransport

__all__ = ["AsyncTransport", "make_async_client"]
