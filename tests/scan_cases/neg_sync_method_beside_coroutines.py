# The safe forms of ld501_sync_method_beside_coroutines: one convenience wrapper beside the
# coroutine it runs (`run_sync`, documented for scripts), a sync client whose class offers no
# public coroutine method (its coroutines are private, or another class's), methods that ask
# whether a loop runs first (themselves or through a helper), hand their loop to a thread, or
# are private or a program's entry, or say in their docstring that they cannot run
# where a loop runs; fewer than three wrappers.
# negative for: LD501
import asyncio
import concurrent.futures


class Agent:
    async def run(self, task: str) -> str:
        return task

    def run_sync(self, task: str) -> str:
        return asyncio.run(self.run(task))


class SyncOnly:
    async def _get(self) -> int:
        return 1

    def get(self) -> int:
        return asyncio.run(self._get())

    def count(self) -> int:
        return asyncio.run(self._get())

    def size(self) -> int:
        return asyncio.run(self._get())


def _in_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class Api:
    async def get_async(self) -> int:
        return 1

    def get(self) -> int:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.get_async())
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, self.get_async()).result()

    def count(self) -> int:
        if _in_running_loop():
            raise RuntimeError("await get_async() instead")
        return asyncio.run(self.get_async())

    def in_thread(self) -> int:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, self.get_async()).result()

    def _private(self) -> int:
        return asyncio.run(self.get_async())

    def main(self) -> int:
        return asyncio.run(self.get_async())

    def documented(self) -> int:
        """Wraps `get_async`: you can't use this method inside async code."""
        return asyncio.run(self.get_async())

    # two plain wrappers, one fewer than a mirrored client: any of the above counted would
    # make three
    def first(self) -> int:
        return asyncio.run(self.get_async())

    def second(self) -> int:
        return asyncio.run(self.get_async())
