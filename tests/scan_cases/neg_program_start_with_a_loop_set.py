# negative for: LD505
# A program's start that sets its loop before it takes `get_event_loop()` (in itself, or in
# the main() that calls it), that makes its loop with `new_event_loop()`, that runs under
# `asyncio.run`, that handles a thread with no loop, or that takes it only before 3.10: no
# Python refuses these.
import asyncio
import sys


async def serve_forever() -> None:
    await asyncio.sleep(3600)


def _start() -> None:
    loop = asyncio.get_event_loop()
    loop.run_until_complete(serve_forever())


def main() -> None:
    asyncio.set_event_loop(asyncio.new_event_loop())
    loop = asyncio.get_event_loop()
    loop.run_until_complete(serve_forever())
    _start()


def cli() -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    for _ in range(2):
        asyncio.get_event_loop().run_until_complete(serve_forever())


def command() -> None:
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
    loop.run_until_complete(serve_forever())


def versioned_main() -> None:
    """Before 3.10 (where this branch runs) the main thread's loop is made on demand."""
    if sys.version_info >= (3, 10):
        asyncio.run(serve_forever())
    else:
        asyncio.get_event_loop().run_until_complete(serve_forever())


async def amain() -> None:
    asyncio.get_event_loop().call_soon(print)


def entry() -> None:
    asyncio.run(amain())


if __name__ == "__main__":
    main()
    cli()
    command()
    entry()
    versioned_main()
