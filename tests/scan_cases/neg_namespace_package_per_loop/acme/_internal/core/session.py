from __future__ import annotations

import asyncio
import weakref

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from acme._internal.core.net import AsyncTransport


class SdkSession:
    _default: SdkSession | None = None

    def __init__(self) -> None:
        self._transports: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @classmethod
    def default(cls) -> SdkSession:
        if cls._default is None:
            cls._default = cls()
        return cls._default

    def get_transport(self) -> AsyncTransport:
        from acme._internal.core.net import AsyncTransport, make_async_client

        loop = asyncio.get_running_loop()
        if loop not in self._transports:
            self._transports[loop] = AsyncTransport(make_async_client())
        return self._transports[loop]
