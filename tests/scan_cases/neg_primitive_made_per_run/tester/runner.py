import asyncio

from tester.http import RateLimitedRequests


class TestRunner:
    def __init__(self, rate_limit: int = 20) -> None:
        self._client = RateLimitedRequests(rate_limit)

    async def run_tests(self, urls: list[str]) -> list[str]:
        return list(await asyncio.gather(*(self._client.request(url) for url in urls)))


def run_group(urls: list[str], rate_limit: int) -> list[str]:
    return asyncio.run(TestRunner(rate_limit).run_tests(urls))


def run_all(groups: list[list[str]]) -> list[str]:
    results: list[str] = []
    for group in groups:
        results += run_group(group, rate_limit=5)
    return results
