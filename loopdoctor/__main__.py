"""``python -m loopdoctor``, and the ``loopdoctor`` command."""

import sys


def main() -> None:
    try:
        if sys.argv[1:2] == ["exec"]:
            _exec_without_the_cli(sys.argv[2:])
        if sys.argv[1:2] == ["run"]:  # its cells' forkserver boots while the CLI imports
            from loopdoctor.run.harness.forkserver import start_for_command_line

            start_for_command_line(sys.argv[2:])
        from loopdoctor.cli import main as cli_main
    except KeyboardInterrupt:  # Ctrl-C while the CLI is still importing: as quiet as later on
        sys.exit(130)
    cli_main()


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
