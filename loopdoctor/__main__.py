"""``python -m loopdoctor``, and the ``loopdoctor`` command."""

import sys


def main() -> None:
    try:
        if sys.argv[1:2] == ["run"]:  # its cells' forkserver boots while the CLI imports
            from loopdoctor.run.harness.forkserver import start_for_command_line

            start_for_command_line(sys.argv[2:])
        from loopdoctor.cli import main as cli_main
    except KeyboardInterrupt:  # Ctrl-C while the CLI is still importing: as quiet as later on
        sys.exit(130)
    cli_main()


if __name__ == "__main__":
    main()
