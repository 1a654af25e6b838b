# negative for: LD505 (a module that imports `js` unconditionally runs only under Pyodide)
import asyncio

import js


class Page:
    async def _title(self) -> str:
        return str(js.document.title)

    def title(self) -> str:
        return asyncio.get_event_loop().run_until_complete(self._title())
