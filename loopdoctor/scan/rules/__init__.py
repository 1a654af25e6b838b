"""The rule table. One module per rule; ``ALL_RULES`` is in code order."""

from __future__ import annotations

from loopdoctor.scan.rules import (
    ld000_parse_error,
    ld001_unused_suppression,
    ld101_asyncio_run_in_worker_thread,
    ld102_thread_bridge_while_loop_runs,
    ld103_fresh_loop_per_call,
    ld201_loop_unaware_client_cache,
    ld202_cached_loop_bound_factory,
    ld301_module_level_client,
    ld302_module_level_asyncio_primitive,
    ld401_id_loop_cache_key,
    ld501_loop_inside_async_def,
    ld502_blocking_wait_on_own_loop,
    ld503_get_event_loop_in_worker_thread,
)
from loopdoctor.scan.rules.base import Rule

ALL_RULES: tuple[Rule, ...] = tuple(
    module.RULE for module in (
        ld000_parse_error,
        ld001_unused_suppression,
        ld101_asyncio_run_in_worker_thread,
        ld102_thread_bridge_while_loop_runs,
        ld103_fresh_loop_per_call,
        ld201_loop_unaware_client_cache,
        ld202_cached_loop_bound_factory,
        ld301_module_level_client,
        ld302_module_level_asyncio_primitive,
        ld401_id_loop_cache_key,
        ld501_loop_inside_async_def,
        ld502_blocking_wait_on_own_loop,
        ld503_get_event_loop_in_worker_thread,
    )
)
BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}
