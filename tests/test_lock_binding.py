"""What LD302 rests on, on the running Python: an asyncio.Lock binds to a loop only when a task
has to wait for it. A lock whose holders never await inside serves any number of loops; one
holder that awaits inside binds it to the first loop where a task waited."""

from __future__ import annotations

import asyncio

import pytest

_TASKS = 20


async def _hold_briefly(lock: asyncio.Lock, counts: list[int]) -> None:
    async with lock:
        counts.append(len(counts))


async def _hold_across_await(lock: asyncio.Lock, counts: list[int]) -> None:
    async with lock:
        await asyncio.sleep(0)
        counts.append(len(counts))


async def _contend(holder, lock: asyncio.Lock, counts: list[int]) -> None:
    await asyncio.gather(*(holder(lock, counts) for _ in range(_TASKS)))


def test_a_lock_never_held_across_an_await_serves_every_loop() -> None:
    lock, counts = asyncio.Lock(), []
    for _ in range(3):
        asyncio.run(_contend(_hold_briefly, lock, counts))
    assert len(counts) == 3 * _TASKS


def test_a_lock_held_across_an_await_binds_to_the_first_loop() -> None:
    lock, counts = asyncio.Lock(), []
    asyncio.run(_contend(_hold_across_await, lock, counts))
    with pytest.raises(RuntimeError, match="different event loop"):
        asyncio.run(_contend(_hold_across_await, lock, counts))
