import asyncio

import click

from tool.database import Handler


async def run_migrate(uri: str) -> None:
    Handler.set_db(uri)
    client = Handler.get_client()
    await client.admin.command("ping")
    client.close()


@click.command()
@click.option("--uri")
def migrate(uri: str) -> None:
    asyncio.run(run_migrate(uri))
