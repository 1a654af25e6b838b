"""``python -m loopdoctor``, and the ``loopdoctor`` command."""

import atexit
import contextlib
import os
import sys
from typing import NoReturn


def main() -> None:
    try:
        if sys.argv[1:2] == ["exec"]:
            _exec_without_the_cli(sys.argv[2:])
        if sys.argv[1:2] == ["run"]:  # its cells' forkserver boots while the CLI imports
            from loopdoctor.run.harness.forkserver import start_for_command_line

            start_for_command_line(sys.argv[2:])
        from loopdoctor.cli import main as cli_main
    except KeyboardInterrupt:  # Ctrl-C while the CLI is still importing: as quiet as later on
        _exit_without_teardown(130)  # not sys.exit: see below
    try:
        cli_main()
    except SystemExit as exited:
        if sys.argv[1:2] not in (["run"], ["scan"]):
            raise
        _exit_without_teardown(exited.code)


def _exit_without_teardown(code: object) -> NoReturn:
    """Exit as ``sys.exit(code)`` would, atexit handlers and flushed output included, but without
    tearing the interpreter down: freeing the modules a run imported takes a tenth of a second,
    after the report, on the critical path of every gate; after a cold scan, the collection
    that teardown makes walks every fact and the join's caches again (about half a second
    on a project of 450 files). Under ``python -m``, a Ctrl-C that interrupted code run from a
    string (a dataclass's generated methods, while the CLI imports) would otherwise make the
    interpreter kill itself with SIGINT at exit, though the KeyboardInterrupt was handled."""
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code or 0)


def _exec_without_the_cli(args: list[str]) -> None:
    """``loopdoctor exec`` without typer and rich, whose import would add a fixed ~0.3 s to
    every guarded run; help, usage errors and unknown options still go to the full CLI."""
    from loopdoctor.guard import exec_

    parsed = exec_.parse_options(args)
    if parsed is not None:
        command, options = parsed
        sys.exit(exec_.run(command, echo=lambda line: print(line, file=sys.stderr), **options))


if __name__ == "__main__":
    main()
