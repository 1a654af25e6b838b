import asyncio
import threading

from svc.embed import upload


async def _copy(path: str) -> None:
    with open(path, "rb") as file:
        data = file.read()
    await upload(data)


def back_up_in_background(path: str) -> threading.Thread:
    worker = threading.Thread(target=lambda: asyncio.run(_copy(path)), daemon=True)  # error: LD101 "_UPLOADS"
    worker.start()
    return worker
