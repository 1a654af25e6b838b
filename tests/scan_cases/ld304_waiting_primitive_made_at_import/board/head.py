from board.signals import NotifyQueue, fetch, wait_for_change


async def serve() -> None:
    while True:
        item = await NotifyQueue.get()
        await fetch(item)
        await wait_for_change()
