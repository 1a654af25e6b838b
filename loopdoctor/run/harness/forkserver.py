"""The forkserver every cell is forked from: one per process, and the modules it imports first.

It imports, in this order: the harness's own modules (``preload``), the client libraries the run
needs, the user's modules (``user_modules``: whatever they raise, it must survive), then
``warm``. That takes seconds (an SDK's import), the longest wait of a short run, so ``loopdoctor
run`` starts it before its command line is even parsed (:func:`start_for_command_line`: the CLI
takes a second to import and parse), and the harness keeps that forkserver when it was started
for the same modules. Light on purpose: it is imported before the CLI.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing import resource_tracker

PRELOAD = "loopdoctor.run.harness.preload"
USER_MODULES = "loopdoctor.run.harness.user_modules"  # imports those named in USER_MODULES_VAR
WARM = "loopdoctor.run.harness.warm"  # last: it warms up every client library imported before it
USER_MODULES_VAR = "LOOPDOCTOR_USER_MODULES"  # the user's modules, for the forkserver to import
MOCK = "loopdoctor.endpoint.mock"  # what --endpoint respx cells need


@dataclass(frozen=True)
class Boot:
    """What a forkserver imports besides the harness: libraries, and the user's modules."""

    libraries: tuple[str, ...] = ()
    user_modules: tuple[str, ...] = ()

    @staticmethod
    def of(libraries: Sequence[str], targets: Sequence[str | None]) -> Boot:
        """For these libraries and the user's MOD:FN targets (factory, bridge, call)."""
        return Boot(tuple(libraries), tuple(t.partition(":")[0] for t in targets if t))


def libraries(client_library: str, builtins_run: bool, respx: bool) -> tuple[str, ...]:
    """The libraries a run's cells import: the built-in strategies' client library (if any
    runs) and the respx mode's mock."""
    return (client_library,) * builtins_run + (MOCK,) * respx


_booted: Boot | None = None  # what the running forkserver was started with, if one runs


def start(boot: Boot) -> None:
    """Make the running forkserver one started for ``boot``: keep it if it is, else start one
    (it boots while the caller goes on)."""
    global _booted
    if _booted == boot and _server()._forkserver_pid is not None:
        return
    stop()
    multiprocessing.get_context("forkserver").set_forkserver_preload(
        [PRELOAD, *boot.libraries, USER_MODULES, WARM])
    with _ctrl_c_spared(), _user_modules_named(boot.user_modules):
        multiprocessing.forkserver.ensure_running()
    _booted = boot


def stop() -> None:
    """Stop this process's forkserver, if one runs, at once: killed, even mid-import (the cells
    forked from it are gone by then, and it owns nothing else). The next run needs its own,
    preloaded for it (``_stop`` is what CPython's own tests use, 3.8 to 3.13)."""
    global _booted
    _booted = None
    server = _server()
    if server._forkserver_pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(server._forkserver_pid, signal.SIGKILL)
        server._stop()


def start_for_command_line(args: Sequence[str]) -> None:
    """Start the forkserver that ``loopdoctor run ARGS`` will need, before the CLI parses ARGS;
    the harness checks it once they are parsed, and replaces a wrong guess."""
    boot = boot_for_command_line(args)
    if boot is not None:
        atexit.register(stop)  # a usage error or a Ctrl-C exits before any harness could stop it
        start(boot)


def boot_for_command_line(args: Sequence[str]) -> Boot | None:
    """What ``loopdoctor run ARGS`` will have its forkserver import, from a quick look at ARGS
    (None for ``--help``, or ARGS this look cannot read)."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False, exit_on_error=False)
    for option in ("--factory", "--bridge", "--call"):
        parser.add_argument(option)
    parser.add_argument("--client", default="openai")
    parser.add_argument("--strategy", action="append", default=[])
    parser.add_argument("--endpoint", action="append", default=[])
    parser.add_argument("--help", "-h", action="store_true")
    try:
        seen, _ = parser.parse_known_args(args)
    except argparse.ArgumentError:
        return None
    if seen.help:
        return None
    builtins_run = bool(seen.strategy) or not seen.factory
    return Boot.of(libraries(seen.client, builtins_run, "respx" in seen.endpoint),
                   (seen.factory, seen.bridge, seen.call))


def _server() -> multiprocessing.forkserver.ForkServer:
    return multiprocessing.forkserver._forkserver  # type: ignore[attr-defined]


@contextlib.contextmanager
def _ctrl_c_spared() -> Iterator[None]:
    """Processes started inside ignore SIGINT (SIG_IGN survives exec). A terminal's Ctrl-C
    reaches the whole process group, and a child still importing would print a
    KeyboardInterrupt traceback; only this process should handle it. A Ctrl-C meanwhile is held
    (SIGINT blocked) and raised on the way out, not lost: the resource tracker is started first,
    because starting it unblocks SIGINT (CPython's own way of sparing it)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    resource_tracker.ensure_running()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextlib.contextmanager
def _user_modules_named(modules: Sequence[str]) -> Iterator[None]:
    """Name the user's modules to the forkserver starting now (in its environment: preloading
    them directly, the forkserver would die of any exception but ImportError they raise)."""
    previous = os.environ.get(USER_MODULES_VAR)
    os.environ[USER_MODULES_VAR] = ",".join(modules)
    try:
        yield
    finally:
        if previous is None:
            del os.environ[USER_MODULES_VAR]
        else:
            os.environ[USER_MODULES_VAR] = previous
