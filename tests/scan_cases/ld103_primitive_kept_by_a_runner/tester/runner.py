import asyncio

from tester.http import RateLimitedRequests


class TestRunner:
    def __init__(self, rate_limit: int = 20) -> None:
        self._client = RateLimitedRequests(rate_limit)

    async def run_tests(self, urls: list[str]) -> list[str]:
        return list(await asyncio.gather(*(self._client.request(url) for url in urls)))


def run_group(runner: TestRunner, urls: list[str]) -> list[str]:
    return asyncio.run(runner.run_tests(urls))  # error: LD103 "run_group" "asyncio.Semaphore" "RateLimitedRequests._semaphore"


def run_all(groups: list[list[str]]) -> list[str]:
    runner = TestRunner(rate_limit=5)
    results: list[str] = []
    results += run_group(runner, groups[0])
    results += run_group(runner, groups[1])
    return results
