import asyncio
import threading


async def _copy(path: str) -> str:
    await asyncio.sleep(0)
    return path


def copy_in_background(path: str) -> threading.Thread:
    worker = threading.Thread(target=lambda: asyncio.run(_copy(path)), daemon=True)
    worker.start()
    return worker
