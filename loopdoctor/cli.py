"""The command line: options in, calls out, a renderer at the end. Keep it thin."""

from __future__ import annotations

import sys
import time
from enum import Enum

import typer

app = typer.Typer(
    name="loopdoctor",
    help="Reproduce, detect and explain cross-event-loop deadlocks in asyncio code.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def usage_error(message: str) -> typer.Exit:
    """Print a one-line usage error and return the exit to raise (code 2)."""
    typer.echo(f"loopdoctor: error: {message}", err=True)
    return typer.Exit(2)


class ListWhat(str, Enum):
    scenarios = "scenarios"
    strategies = "strategies"
    rules = "rules"


@app.command("list")
def list_(what: ListWhat = typer.Argument(..., help="What to list.")) -> None:
    """List the built-in scenarios, strategies or scan rules."""
    from loopdoctor.report import listing

    listing.render(what.value)


@app.command()
def endpoint(
    port: int = typer.Option(0, help="Port on 127.0.0.1; 0 picks a free one."),
    faults: str = typer.Option(
        "", help="Faults for every request, e.g. 'latency=0.05,status=503,retry_after=0'."
    ),
) -> None:
    """Serve the fake OpenAI endpoint on 127.0.0.1 until Ctrl-C.

    POST /v1/chat/completions echoes the last user message (stream or not), GET /v1/models
    lists one model, GET /_loopdoctor/stats returns the counters. A request can ask for
    faults itself with the header x-loopdoctor-faults: latency=0.1,drop_after=2.
    """
    from loopdoctor.endpoint import Endpoint, Faults

    try:
        parsed = Faults.parse(faults)
    except ValueError as exc:
        raise usage_error(f"--faults: {exc}") from None
    try:
        server = Endpoint(port=port, faults=parsed).start()
    except OSError as exc:
        raise usage_error(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    typer.echo(f"serving the fake OpenAI endpoint at {server.base_url} (Ctrl-C to stop)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - last resort: exit 3, never a traceback
        typer.echo(f"loopdoctor: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(3)
