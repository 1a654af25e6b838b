# A bridge that refuses to start its thread when the caller hands it the client the
# negative for: LD102
# coroutine uses (`if session is not None: raise`, before the thread): the thread's loop never
# meets that client. A bridge whose test comes after the thread still is the hazard (and one
# that some caller reaches without handing it the client: ld102_bridge_refused_not_always.py);
# the new loop per call before the test is LD103's either way.
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
        return executor.submit(asyncio.run, coro).result()


async def upload(data: bytes, session: httpx.AsyncClient | None = None) -> int:
    client = session or httpx.AsyncClient()
    response = await client.post("https://example.invalid/upload", content=data)
    return response.status_code


def upload_sync(data: bytes, session: httpx.AsyncClient | None = None) -> int:
    return run_sync(upload(data, session=session), session=session)


def run_sync_late(coro, *, session=None):
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)  # error: LD103 "AsyncClient"
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
        result = executor.submit(asyncio.run, coro).result()  # error: LD102 "AsyncClient"
    if session is not None:
        raise ValueError("checked too late: the thread's loop already used the session")
    return result


def upload_sync_late(data: bytes, session: httpx.AsyncClient | None = None) -> int:
    return run_sync_late(upload(data, session=session), session=session)

