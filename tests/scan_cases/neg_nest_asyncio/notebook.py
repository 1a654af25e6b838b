# nest_asyncio.apply() makes nested loops legal for the whole process (notebooks).
# negative for: LD501
import asyncio

import nest_asyncio

nest_asyncio.apply()


async def fetch():
    return 1


async def cell():
    return asyncio.get_event_loop().run_until_complete(fetch())
