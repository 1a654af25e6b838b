# The process-wide default session makes its transport lazily, from the other module's
# factory: every loop that asks `SdkSession.default()` meets the first loop's client.
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from acme._internal.core.net import AsyncTransport


class SdkSession:
    _default: SdkSession | None = None

    def __init__(self) -> None:
        self._transport: AsyncTransport | None = None

    @classmethod
    def default(cls) -> SdkSession:
        if cls._default is None:
            cls._default = cls()
        return cls._default

    def get_transport(self) -> AsyncTransport:
        from acme._internal.core.net import AsyncTransport, make_async_client

        if self._transport is None:
            self._transport = AsyncTransport(make_async_client())  # error: LD204 "SdkSession._transport" "SdkSession._default" "AsyncTransport"
        return self._transport
