# A program's start takes `asyncio.get_event_loop()` before any loop is set in its thread:
# Python 3.14 no longer makes one on demand ("There is no current event loop in thread
# 'MainThread'"; 3.12 and 3.13 warn). In `main()`, in the sync helper only `main()` calls,
# and on the branch that does not set one.
import argparse
import asyncio
import sys


async def serve_forever() -> None:
    await asyncio.sleep(3600)


def run_loop(args: argparse.Namespace) -> None:
    loop = asyncio.get_event_loop()  # error: LD505 "run_loop" "3.14"
    loop.create_task(serve_forever())
    loop.run_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    run_loop(parser.parse_args())
    cron_main()


def cron_main() -> None:
    if sys.platform == "win32":
        loop = asyncio.ProactorEventLoop()
        asyncio.set_event_loop(loop)
    else:
        loop = asyncio.get_event_loop()  # error: LD505 "cron_main" "no current event loop"
    loop.create_task(serve_forever())
    try:
        loop.run_forever()
    finally:
        loop.close()


if __name__ == "__main__":
    main()
