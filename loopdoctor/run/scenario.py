"""What a scenario is, what it may call, and where scenarios are found.

A scenario module defines ``scenario = Scenario(...)``. Its ``body(ctx)`` runs in the cell's main
thread with no loop running, plays one execution pattern (CLI, gateway bridge, thread pool...),
and talks to the client only through the :class:`Context` it is given.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib.util
import sys
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
# Seconds the endpoint takes over an answer that must still be in flight when another loop's
# request arrives: long enough that a busy machine cannot serialize the two.
OVERLAP = 0.2


class Context(Protocol):
    """What a scenario body can do. The harness provides it (``loopdoctor.run.harness.child``)."""

    stream: bool

    def client(self) -> AbstractAsyncContextManager[Any]:
        """Lease a client from the strategy under test, on the running loop."""

    async def ask(self, client: Any, label: str, latency: float | None = None) -> str:
        """One chat completion (streamed when the scenario streams); checks the echoed answer.
        ``latency`` asks the endpoint to take that long over this answer."""

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on a new loop this code owns (``asyncio.run``, or the strategy's runner)."""

    def bridge(self, coro: Coroutine[Any, Any, T]) -> T:
        """The sync→async bridge a sync tool uses while a loop runs (built-in or ``--bridge``)."""


@dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    requests: int  # how many requests ``body`` makes; the server must see exactly these
    body: Callable[[Context], None]
    pool_limit: int | None = None  # shrink the SDK's connection limits: shared-pool hangs certain
    stream: bool = False

    def streaming(self) -> Scenario:
        return replace(self, name=f"{self.name}-stream", stream=True,
                       summary=f"{self.summary} (stream=True)")


def run_async(ctx: Context, coro: Coroutine[Any, Any, T]) -> T:
    """The built-in bridge, the ``_run_async`` shape found in agent frameworks: with no loop
    running, run the coroutine here; inside a running loop, run it on a new loop in a worker
    thread and block until it is done."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return ctx.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(ctx.run, coro).result()


def sync_tool(ctx: Context, label: str) -> str:
    """A synchronous tool (vision, web extract, session search...) that needs the LLM client."""

    async def call_model() -> str:
        async with ctx.client() as client:
            return await ctx.ask(client, label)

    return ctx.bridge(call_model())


class ScenarioLoadError(Exception):
    """A scenario file that cannot be imported, or that defines no ``scenario``."""


def builtin_dir() -> Path:
    import loopdoctor.run.scenarios

    return Path(loopdoctor.run.scenarios.__file__).resolve().parent


def load_dir(folder: Path) -> dict[str, Scenario]:
    """Every ``scenario`` defined by a ``*.py`` file in ``folder``, by name."""
    found: dict[str, Scenario] = {}
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        scenario = _load_file(path)
        if scenario.name in found:
            raise ScenarioLoadError(f"{path}: scenario name {scenario.name!r} is defined twice")
        found[scenario.name] = scenario
    return found


def _load_file(path: Path) -> Scenario:
    module_name = f"loopdoctor_user_scenarios.{path.stem}_{abs(hash(path.parent)):x}"
    if path.parent == builtin_dir():
        module_name = f"loopdoctor.run.scenarios.{path.stem}"
    if module_name in sys.modules:
        module = sys.modules[module_name]
    else:
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ScenarioLoadError(f"{path}: not a Python module")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[module_name]
            raise ScenarioLoadError(f"{path}: {type(exc).__name__}: {exc}") from None
    scenario = getattr(module, "scenario", None)
    if not isinstance(scenario, Scenario):
        raise ScenarioLoadError(f"{path}: defines no `scenario = Scenario(...)`")
    return scenario


def load(extra_dirs: list[Path] | tuple[Path, ...] = ()) -> dict[str, Scenario]:
    """The built-in scenarios, then those of ``extra_dirs`` (which may replace a built-in)."""
    scenarios = load_dir(builtin_dir())
    for folder in extra_dirs:
        scenarios.update(load_dir(folder))
    return scenarios
