# A driver makes one runner and hands it to every group it runs; each group runs in a new
# loop (`asyncio.run` per call). The semaphore the runner's client makes in its constructor
# is one object for every loop: the first loop that waits on it binds it, the next raises
# "bound to a different event loop" (reported at the loop start of each function given the
# same runner twice, or in a for/while body, and at each of two `asyncio.run` over the same
# object in one function; a client made once and run in two loops is reported the same way).
# negative for: LD103
# A runner made per group, or handed to one call only, or whose semaphore each run makes
# anew, meets one loop: silent.
import asyncio

import aiohttp
import httpx


class RateLimited:
    def __init__(self, limit: int) -> None:
        self._semaphore = asyncio.Semaphore(limit)

    async def get(self, url: str) -> int:
        async with self._semaphore:
            async with aiohttp.ClientSession() as session:
                async with session.get(url) as response:
                    return response.status


class Runner:
    def __init__(self, limit: int) -> None:
        self._client = RateLimited(limit)

    async def run_all(self, urls: list[str]) -> list[int]:
        return list(await asyncio.gather(*(self._client.get(url) for url in urls)))


def run_group(runner: Runner, urls: list[str]) -> list[int]:
    return asyncio.run(runner.run_all(urls))  # error: LD103 "run_group" "RateLimited._semaphore" "Semaphore"


def run_everything(first: list[str], second: list[str]) -> list[int]:
    runner = Runner(10)
    results = run_group(runner, first)
    results += run_group(runner, second)
    return results


def run_batch(runner: Runner, urls: list[str]) -> list[int]:
    return asyncio.run(runner.run_all(urls))  # error: LD103 "run_batch" "RateLimited._semaphore"


def run_batches(batches: list[list[str]]) -> None:
    runner = Runner(10)
    for urls in batches:
        run_batch(runner, urls)


def run_alone(runner: Runner, urls: list[str]) -> list[int]:
    return asyncio.run(runner.run_all(urls))  # each runner meets one loop


def run_each_with_its_own(first: list[str], second: list[str]) -> list[int]:
    results = run_alone(Runner(10), first)
    results += run_alone(Runner(10), second)
    return results


def run_once(urls: list[str]) -> list[int]:
    runner = Runner(10)
    return run_alone(runner, urls)


class PerRun:
    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._semaphore: asyncio.Semaphore | None = None

    async def run_all(self, urls: list[str]) -> int:
        self._semaphore = asyncio.Semaphore(self._limit)
        async with self._semaphore:
            return len(urls)


def run_fresh(runner: PerRun, urls: list[str]) -> int:
    return asyncio.run(runner.run_all(urls))  # the semaphore is made by each run


def run_fresh_twice(first: list[str], second: list[str]) -> int:
    runner = PerRun(10)
    return run_fresh(runner, first) + run_fresh(runner, second)


def check_then_run(urls: list[str]) -> list[int]:
    runner = Runner(10)
    asyncio.run(runner.run_all(urls[:1]))  # error: LD103 "check_then_run" "RateLimited._semaphore"
    return asyncio.run(runner.run_all(urls))  # error: LD103 "check_then_run" "RateLimited._semaphore"


def fetch_twice(first: str, second: str) -> tuple[int, int]:
    client = httpx.AsyncClient()
    one = asyncio.run(client.get(first))  # error: LD103 "fetch_twice" "client shared across loops" "AsyncClient"
    two = asyncio.run(client.get(second))  # error: LD103 "fetch_twice" "client shared across loops" "AsyncClient"
    return one.status_code, two.status_code


def check_then_run_with_new_runners(urls: list[str]) -> list[int]:
    asyncio.run(Runner(10).run_all(urls[:1]))  # each loop its own runner
    runner = Runner(10)
    return asyncio.run(runner.run_all(urls))


def run_fresh_in_two_loops(urls: list[str]) -> int:
    runner = PerRun(10)
    asyncio.run(runner.run_all(urls[:1]))  # each run makes its own semaphore
    return asyncio.run(runner.run_all(urls))


def run_one_way(urls: list[str], fast: bool) -> list[int]:
    runner = Runner(10)
    if fast:
        return asyncio.run(runner.run_all(urls[:1]))  # one of the two runs, never both
    return asyncio.run(runner.run_all(urls))


def run_first_or_second(first: list[str], second: list[str], which: int) -> list[int]:
    runner = Runner(10)
    if which == 1:
        return run_alone(runner, first)  # one of the two calls, never both
    else:
        return run_alone(runner, second)
