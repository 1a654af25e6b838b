import argparse
import asyncio

from tweets.db import count_accounts


async def _run(args: argparse.Namespace) -> None:
    print(await count_accounts(args.db))


def run() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="accounts.db")
    args = parser.parse_args()
    asyncio.run(_run(args))
