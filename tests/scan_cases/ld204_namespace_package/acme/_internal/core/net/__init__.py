from acme._internal.core.net.transport import AsyncTransport, make_async_client

__all__ = ["AsyncTransport", "make_async_client"]
