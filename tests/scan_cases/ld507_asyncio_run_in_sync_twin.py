# A library's blocking methods built on `asyncio.run` over their own async twins: a caller
# whose thread already runs a loop (a notebook, an async framework) gets "asyncio.run() cannot
# be called from a running event loop".
import asyncio


class TransitApi:
    @staticmethod
    async def stations_async() -> list[str]:
        return []

    @staticmethod
    def stations() -> list[str]:
        return asyncio.run(TransitApi.stations_async())  # error: LD507 "stations" "stations_async"


class EnergyClient:
    async def _async_get_market(self, network: str) -> dict[str, str]:
        return {"network": network}

    def get_market(self, network: str) -> dict[str, str]:
        async def _run():
            return await self._async_get_market(network)

        return asyncio.run(_run())  # error: LD507 "get_market" "_async_get_market"
