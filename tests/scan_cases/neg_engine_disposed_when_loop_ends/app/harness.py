class AppHarness:
    """Runs the app's server in a backend thread, one loop per test session."""

    def __init__(self, server):
        self.server = server
        self.original_shutdown = server.shutdown
        self.server.shutdown = self._shutdown

    async def _shutdown(self, *args) -> None:
        from app import model

        engine = model.get_async_engine("sqlite+aiosqlite://")
        await engine.dispose()
        await self.original_shutdown(*args)
