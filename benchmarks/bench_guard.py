"""What the guard costs per request: the same requests with and without it, side by side.

    python benchmarks/bench_guard.py [--requests 2000] [--rounds 40]

One client per stack sends sequential requests to the fake endpoint on loopback; the guard
is switched on and off between rounds (interleaved, so drift hits both modes alike) and the
median round gives the time per request. The check itself (what the guard adds to every
request) is also timed alone, since its cost is below the noise of a whole request. Last,
what ``loopdoctor exec`` adds to starting a Python program: its own start-up and the guard's
installation in the child, timed against the bare program, interleaved the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import openai

from loopdoctor import guard
from loopdoctor.endpoint.server import Endpoint
from loopdoctor.guard import binding

HTTP = openai.DefaultAsyncHttpxClient.__mro__[1]  # httpx2.AsyncClient (openai 3) or httpx's
http = __import__(HTTP.__module__.split(".")[0])
BODY = {"model": "m", "messages": [{"role": "user", "content": "ping"}]}

Send = Callable[[], Awaitable[Any]]


def per_request_seconds(send: Send, requests: int, rounds: int) -> tuple[float, float, float]:
    """Median seconds per request off and on, and the median on/off ratio of paired rounds.

    Each round times a block with the guard off and one with it on, in alternating order, so
    that drift and the noise of a shared CPU cancel out of the paired ratio.
    """
    off: list[float] = []
    on: list[float] = []

    async def block(count: int) -> float:
        started = time.perf_counter()
        for _ in range(count):
            await send()
        return (time.perf_counter() - started) / count

    async def guarded_block(count: int) -> float:
        with guard.guarded("raise"):
            return await block(count)

    async def main() -> None:
        await block(50)  # warm-up: connection, code paths
        for n in range(rounds):
            if n % 2:
                on.append(await guarded_block(requests // rounds))
                off.append(await block(requests // rounds))
            else:
                off.append(await block(requests // rounds))
                on.append(await guarded_block(requests // rounds))

    asyncio.run(main())
    ratio = statistics.median(b / a for a, b in zip(off, on, strict=True))
    return statistics.median(off), statistics.median(on), ratio


def stacks(base_url: str) -> list[tuple[str, Send]]:
    raw = HTTP(base_url=base_url + "/")
    sdk = openai.AsyncOpenAI(base_url=base_url, api_key="sk-bench", max_retries=0)
    return [
        (f"{http.__name__}.AsyncClient.post, loopback",
         lambda: raw.post("chat/completions", json=BODY)),
        ("openai.AsyncOpenAI chat.completions.create, loopback",
         lambda: sdk.chat.completions.create(**BODY)),
    ]


def check_seconds(calls: int = 200_000) -> float:
    """Seconds per call of the check the guard adds to a request from the owning loop."""
    client = HTTP()

    async def main() -> float:
        binding.check(client, "bench")
        started = time.perf_counter()
        for _ in range(calls):
            binding.check(client, "bench")
        return (time.perf_counter() - started) / calls

    with guard.guarded("raise"):
        return asyncio.run(main())


STARTS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "loopdoctor exec -- python -c pass": [sys.executable, "-m", "loopdoctor", "exec", "--",
                                          sys.executable, "-c", "pass"],
    "(the full CLI: loopdoctor list rules)": [sys.executable, "-m", "loopdoctor", "list", "rules"],
}


def start_seconds(rounds: int) -> dict[str, float]:
    """Median wall seconds of each command in STARTS, run in turn ``rounds`` times."""
    times: dict[str, list[float]] = {name: [] for name in STARTS}
    for _ in range(rounds):
        for name, command in STARTS.items():
            started = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True)
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(seconds) for name, seconds in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per mode and stack")
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}" for name in ("openai", http.__name__)
    )
    print(f"guard overhead: {args.requests} sequential requests per mode, {args.rounds} "
          f"paired rounds; Python {platform.python_version()}, {versions}")
    print(f"{'stack':<52} {'off µs/req':>10} {'on µs/req':>10} {'overhead':>9}")
    endpoint = Endpoint()
    # Without TCP_NODELAY every keep-alive response waits ~40 ms for a delayed ACK (Nagle).
    endpoint._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with endpoint:
        for name, send in stacks(endpoint.base_url):
            off, on, ratio = per_request_seconds(send, args.requests, args.rounds)
            off, on = off * 1e6, on * 1e6
            print(f"{name:<52} {off:>10.1f} {on:>10.1f} {100 * (ratio - 1):>+8.2f}%")
            check = check_seconds() * 1e6
            print(f"{'  the check alone, per request':<52} {'':>10} {check:>10.2f} "
                  f"{100 * check / off:>+8.2f}%")
    starts = start_seconds(args.rounds // 2)
    bare = starts["python -c pass"]
    print(f"\nstart-up, median of {args.rounds // 2} interleaved runs")
    for name, seconds in starts.items():
        print(f"{name:<52} {seconds * 1e3:>7.0f} ms {1e3 * (seconds - bare):>+7.0f} ms")


if __name__ == "__main__":
    main()
