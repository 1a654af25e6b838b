import argparse
import asyncio


async def _list(args: argparse.Namespace) -> None:
    print(args)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.set_defaults(func=_list)
    args = parser.parse_args()
    asyncio.run(args.func(args))
