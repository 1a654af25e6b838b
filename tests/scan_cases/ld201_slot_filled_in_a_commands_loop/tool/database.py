# negative for: LD201
# `Handler.client` is filled and used only inside the coroutine that the `migrate` command's
# one `asyncio.run` runs: that process has one loop, so the slot never meets a second one.
# `Registry.client` is filled by a coroutine that the library's sync `sync_refresh` runs on a
# new loop per call: every call's loop gets the first call's client (reported, and the
# per-call loop over it is LD103).
import asyncio

from motor.motor_asyncio import AsyncIOMotorClient


class Handler:
    @classmethod
    def set_db(cls, uri: str) -> None:
        cls.client = AsyncIOMotorClient(uri)

    @classmethod
    def get_client(cls) -> AsyncIOMotorClient | None:
        return cls.client if hasattr(cls, "client") else None


class Registry:
    @classmethod
    def set_client(cls, uri: str) -> None:
        cls.client = AsyncIOMotorClient(uri)  # error: LD201 "Registry.client" "AsyncIOMotorClient"


async def refresh(uri: str) -> None:
    Registry.set_client(uri)
    await Registry.client.admin.command("ping")


def sync_refresh(uri: str) -> None:
    asyncio.run(refresh(uri))  # error: LD103 "sync_refresh" "AsyncIOMotorClient"
