"""``python -m loopdoctor``, and the ``loopdoctor`` command."""

import sys


def main() -> None:
    try:
        from loopdoctor.cli import main as cli_main
    except KeyboardInterrupt:  # Ctrl-C while the CLI is still importing: as quiet as later on
        sys.exit(130)
    cli_main()


if __name__ == "__main__":
    main()
