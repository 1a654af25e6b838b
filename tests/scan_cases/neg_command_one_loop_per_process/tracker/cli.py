import asyncio

import click

from tracker.client import get_client_manager


async def list_comments(issue_id: str) -> str:
    response = await get_client_manager().request(f"http://127.0.0.1:8000/issues/{issue_id}")
    return response.text


async def list_all(issue_ids: tuple[str, ...]) -> list[str]:
    return [await list_comments(issue_id) for issue_id in issue_ids]


@click.command()
@click.argument("issue_ids", nargs=-1)
def comments(issue_ids: tuple[str, ...]) -> None:
    for text in asyncio.run(list_all(issue_ids)):
        print(text)
