# The bridge refuses the client only when it is handed over (`if session is not None: raise`):
# a caller whose coroutine reaches the client without handing it to the bridge still sends
# that client to the thread's loop while the caller's loop runs.
import asyncio
import concurrent.futures

import httpx


def run_sync(coro, *, session=None):
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)  # error: LD103 "AsyncClient"
    if session is not None:
        raise ValueError("a session bound to the running loop was given: await the async call")
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coro).result()  # error: LD102 "AsyncClient"


async def upload(data: bytes, session: httpx.AsyncClient | None = None) -> int:
    client = session or httpx.AsyncClient()
    response = await client.post("https://example.invalid/upload", content=data)
    return response.status_code


def upload_sync(data: bytes, session: httpx.AsyncClient | None = None) -> int:
    return run_sync(upload(data, session=session), session=session)


def upload_sync_unchecked(data: bytes, session: httpx.AsyncClient | None = None) -> int:
    return run_sync(upload(data, session=session))
