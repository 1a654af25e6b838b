# A coroutine reaches a sync method that runs a loop through sync calls only, across modules
# and through a getter: `Session.__aexit__` calls `close()`, which calls the multi handle's
# `close()` (the class re-exported here), which waits with `run_until_complete` on the loop
# that is running the `async with` ("This event loop is already running"). The safe forms:
# an awaited `aclose()`, a close that asks whether the loop runs, one handed to a thread.
# negative for: LD501
from .multi import Multi

__all__ = ["Multi"]
