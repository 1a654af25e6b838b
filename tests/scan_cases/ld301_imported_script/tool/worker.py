from tool.cli import client


async def ping() -> None:
    await client.models.list()
