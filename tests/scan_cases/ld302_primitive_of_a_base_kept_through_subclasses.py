# A base class's asyncio primitive, on objects of its subclasses that module globals keep: the
# message names the first subclass kept, in the order the project defines them (the order
# `Project.descendants` walks), whatever order the globals are assigned in.
import asyncio


class Base:
    def __init__(self) -> None:
        self.lock = asyncio.Lock()  # error: LD302 ".FIRST` ("

    async def run(self) -> None:
        async with self.lock:
            await asyncio.sleep(0)


class First(Base):
    pass


class Second(Base):
    pass


class Third(Second):
    pass


THIRD = Third()
SECOND = Second()
FIRST = First()
