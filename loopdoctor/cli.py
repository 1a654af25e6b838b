"""The command line: options in, calls out, a renderer at the end. Keep it thin."""

from __future__ import annotations

import sys
import time
from enum import Enum
from pathlib import Path

import typer

app = typer.Typer(
    name="loopdoctor",
    help="Reproduce, detect and explain cross-event-loop deadlocks in asyncio code.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # one paragraph wraps as one, and "[default: ...]" stays text
    context_settings={"help_option_names": ["-h", "--help"]},
)


def usage_error(message: str) -> typer.Exit:
    """Print a one-line usage error and return the exit to raise (code 2)."""
    typer.echo(f"loopdoctor: error: {message}", err=True)
    return typer.Exit(2)


# Options that mean the same in every command that has them.
OUTPUT = typer.Option(None, "--output", "-o", metavar="FILE",
                      help="Write the report to FILE, once it is complete.")


def jobs_option(unit: str, default: str) -> typer.models.OptionInfo:
    return typer.Option(None, "--jobs", "-j", min=1, metavar="N",
                        help=f"{unit} at once [default: {default}].")


CELL_JOBS = jobs_option("Cells", "all of them")
PARSE_JOBS = jobs_option("Files parsed", "one per core")


class ListWhat(str, Enum):
    scenarios = "scenarios"
    strategies = "strategies"
    clients = "clients"
    rules = "rules"


@app.command("list")
def list_(what: ListWhat = typer.Argument(..., help="What to list.")) -> None:
    """List the built-in scenarios, strategies, kinds of client or scan rules."""
    from loopdoctor.report import listing

    if what is ListWhat.rules:
        from loopdoctor.scan.report.text import rules_listing as make_listing
    else:
        from loopdoctor.run import report

        make_listing = {ListWhat.scenarios: report.scenarios_listing,
                        ListWhat.strategies: report.strategies_listing,
                        ListWhat.clients: report.clients_listing}[what]
    listing.render(make_listing())


class RunFormat(str, Enum):
    table = "table"
    json = "json"
    junit = "junit"
    github = "github"


class ScanFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    gitlab = "gitlab"
    junit = "junit"


@app.command()
def run(
    all_: bool = typer.Option(False, "--all", help="Every scenario × every built-in strategy "
                              "(the default when nothing is selected)."),
    scenario: list[str] = typer.Option([], "--scenario", "-s", metavar="NAME", help="Scenario "
                                       "to run (repeatable; see `loopdoctor list scenarios`)."),
    strategy: list[str] = typer.Option([], "--strategy", metavar="NAME", help="Built-in "
                                       "strategy (repeatable; see `loopdoctor list strategies`)."),
    factory: str | None = typer.Option(None, metavar="MOD:FN", help="Your client factory, "
                                       "FN(base_url, api_key) -> client: the CI gate."),
    bridge: str | None = typer.Option(None, metavar="MOD:FN", help="Your sync->async bridge, "
                                      "FN(coro) -> result, used by the gateway scenarios."),
    client: str = typer.Option("openai", "--client", metavar="KIND", help="The client the "
                               "built-in strategies make: openai, anthropic, httpx, httpx2 or "
                               "aiohttp."),
    call: str | None = typer.Option(None, metavar="MOD:FN", help="How to ask the clients your "
                                    "factory returns, async FN(client, prompt) -> str: any "
                                    "client (a LangChain model, an agent...)."),
    scenarios_dir: list[Path] = typer.Option([], "--scenarios", metavar="DIR",
                                             help="Also load the scenarios in DIR."),
    endpoints: list[str] = typer.Option(["loopback"], "--endpoint", metavar="KIND",
                                        help="loopback (a real server) or respx (a transport "
                                        "mock); repeatable."),
    timeout: float = typer.Option(5.0, min=0.1, metavar="SECONDS", help="Seconds without a "
                                  "response before a cell is a HANG."),
    jobs: int | None = CELL_JOBS,
    repeat: int = typer.Option(1, min=1, metavar="N", help="Run each cell N times and report "
                               "the rate."),
    format_: RunFormat = typer.Option(RunFormat.table, "--format", help="Output format."),
    output: Path | None = OUTPUT,
    allow: str = typer.Option("", metavar="leak,masked", help="Outcomes that do not fail "
                              "the --factory gate."),
    guard: bool = typer.Option(False, "--guard", help="Run cells under loopdoctor.guard: a "
                               "cross-loop use is an immediate ERROR naming both loops, never a "
                               "HANG."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Full hang diagnostics."),
) -> None:
    """Run scenarios × client strategies against a real fake LLM server and say which pass.

    Each cell runs in its own process under a watchdog. With `--factory`, exit 1 when your
    factory fails any scenario; with built-ins only, exit 1 when a verdict is UNEXPECTED.
    """
    from loopdoctor.run import report as run_report
    from loopdoctor.run.harness import plan as planning
    from loopdoctor.run.harness import session
    from loopdoctor.run.harness.runner import RunOptions

    allowed = {word.strip().upper() for word in allow.split(",") if word.strip()}
    if allowed - {"LEAK", "MASKED"}:
        raise usage_error(f"--allow takes leak and/or masked, not {allow!r}")
    try:
        cells = planning.plan(scenario, strategy, factory, endpoints, scenarios_dir, client,
                              call)
    except planning.PlanError as exc:
        raise usage_error(str(exc)) from None
    options = RunOptions(timeout=timeout, jobs=jobs, repeat=repeat, guard=guard,
                         scenario_dirs=tuple(map(str, scenarios_dir)), client=client,
                         factory=factory, bridge=bridge, call=call,
                         preload=planning.preload(cells, client))
    with session.Session(options) as run_session:  # it boots and imports the factory
        try:
            if output is not None:
                run_report.check_writable(output)
        except OSError as exc:
            raise usage_error(f"cannot write {output}: {exc.strerror}") from None
        wrong = run_session.check_targets()
        if wrong:
            raise usage_error(wrong)
        with run_report.progress(run_report.console(None, stderr=True), len(cells)) as advance:
            report = run_session.execute(cells, advance)
    try:
        run_report.emit(report, format_.value, output, verbose)
    except OSError as exc:
        raise usage_error(f"cannot write {output}: {exc.strerror}") from None
    raise typer.Exit(session.exit_code(report, factory, allowed))


@app.command()
def endpoint(
    port: int = typer.Option(0, metavar="PORT", help="Port on 127.0.0.1; 0 picks a free one."),
    faults: str = typer.Option(
        "", help="Faults for every request, e.g. 'latency=0.05,status=503,retry_after=0'."
    ),
) -> None:
    """Serve the fake LLM endpoint on 127.0.0.1 until Ctrl-C.

    POST /v1/chat/completions (OpenAI) and /v1/messages (Anthropic) echo the last user
    message, POST /v1/echo the request body (stream or not, all three); GET /v1/models lists
    one model, GET /_loopdoctor/stats returns the counters. A request can ask for faults itself
    with the header x-loopdoctor-faults: latency=0.1,drop_after=2.
    """
    from loopdoctor.endpoint.server import Endpoint, Faults

    try:
        parsed = Faults.parse(faults)
    except ValueError as exc:
        raise usage_error(f"--faults: {exc}") from None
    try:
        server = Endpoint(port=port, faults=parsed).start()
    except OSError as exc:
        raise usage_error(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    typer.echo(f"serving the fake LLM endpoint at {server.base_url} (Ctrl-C to stop)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


# -- guard --------
@app.command(
    "exec",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                      "allow_interspersed_args": False},
    options_metavar="[OPTIONS] -- CMD [ARGS]...",
)
def exec_(
    ctx: typer.Context,
    warn: bool = typer.Option(False, "--warn", help="Log cross-loop uses instead of raising; "
                              "the command's exit code is kept (see --fail-on-use)."),
    fail_on_use: bool | None = typer.Option(
        None, "--fail-on-use/--no-fail-on-use", show_default=False,
        help="Exit 1 when the command exited 0 after a cross-loop use (a library may have "
             "swallowed the error). Default: on, off with --warn."),
) -> None:
    """Run a command with the guard on in every Python process it starts.

    loopdoctor exec -- pytest tests/   |   loopdoctor exec -- python -m myservice

    The command's exit code passes through (1 if it exited 0 after a cross-loop use, unless
    --warn or --no-fail-on-use); a summary of cross-loop uses, with their messages, follows.
    """
    from loopdoctor.guard import exec_ as guarded_exec

    if not ctx.args:
        typer.echo(ctx.get_usage(), err=True)
        raise usage_error("exec needs a command to run, e.g. loopdoctor exec -- pytest tests/")
    code = guarded_exec.run(ctx.args, warn=warn, fail_on_use=fail_on_use,
                            echo=lambda line: typer.echo(line, err=True))
    raise typer.Exit(code)


# -- scan -----------------------------------------------------------------------------


def _codes(values: list[str] | None) -> list[str]:
    return [c.strip().upper() for v in values or [] for c in v.split(",") if c.strip()]


@app.command()
def scan(
    paths: list[str] = typer.Argument(None, metavar="PATH",
                                      help="Files and folders to scan [default: .]."),
    select: list[str] = typer.Option(None, metavar="CODES", help="Rule codes or prefixes to "
                                     "check (LD1,LD201)."),
    ignore: list[str] = typer.Option(None, metavar="CODES", help="Rule codes or prefixes to "
                                     "skip."),
    extend_select: list[str] = typer.Option(None, metavar="CODES", help="Codes to add to the "
                                            "selection."),
    format_: ScanFormat = typer.Option(ScanFormat.text, "--format", help="Output format."),
    output: Path | None = OUTPUT,
    statistics: bool = typer.Option(False, "--statistics", help="Count findings per rule "
                                    "instead."),
    show_source: bool = typer.Option(False, "--show-source", help="Show a code frame under "
                                     "each finding."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when there are "
                                   "findings."),
    baseline: Path | None = typer.Option(None, metavar="FILE", help="Hide the findings "
                                         "recorded in FILE."),
    write_baseline: Path | None = typer.Option(None, metavar="FILE", help="Record the current "
                                               "findings in FILE, exit 0."),
    jobs: int | None = PARSE_JOBS,
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write "
                                  ".loopdoctor_cache."),
    cache_dir: Path | None = typer.Option(None, metavar="DIR", help="Cache folder [default: "
                                          "beside the config]."),
    exclude: list[str] = typer.Option(None, metavar="PATTERN", help="gitignore-style "
                                      "patterns to skip."),
    force_exclude: bool = typer.Option(False, "--force-exclude", help="Apply excludes to "
                                       "paths given explicitly."),
    respect_gitignore: bool = typer.Option(True, help="Skip files .gitignore ignores."),
    config: Path | None = typer.Option(None, metavar="FILE", help="The pyproject.toml to read "
                                       "[tool.loopdoctor] from."),
    target_version: str | None = typer.Option(
        None, metavar="pyXY", help="The oldest Python the code runs on [default: from "
        "requires-python in pyproject.toml, else py39]."),
    newest_version: str | None = typer.Option(
        None, metavar="pyXY", help="The newest Python the code runs on [default: from "
        "requires-python's upper bound in pyproject.toml, else none]."),
) -> None:
    """Find cross-event-loop patterns in Python code (rules: `loopdoctor list rules`)."""
    from loopdoctor.scan.command import ScanRequest, UsageError, run_scan

    request = ScanRequest(
        paths=paths or ["."], select=_codes(select) or None, ignore=_codes(ignore),
        extend_select=_codes(extend_select), output_format=format_.value, output=output,
        statistics=statistics, show_source=show_source, exit_zero=exit_zero,
        baseline=baseline, write_baseline=write_baseline, jobs=jobs or 0, no_cache=no_cache,
        cache_dir=cache_dir, exclude=exclude or [], force_exclude=force_exclude,
        respect_gitignore=respect_gitignore, config=config, target_version=target_version,
        newest_version=newest_version,
    )
    try:
        code = run_scan(request)
    except UsageError as exc:
        raise usage_error(str(exc)) from None
    raise typer.Exit(code)


@app.command()
def explain(rule: str = typer.Argument(..., help="A rule code (LD101) or name.")) -> None:
    """Print a rule's documentation: why it breaks, a bad and a good example, the fix."""
    from loopdoctor.scan.command import UsageError, explain_text, find_rule

    try:
        typer.echo(explain_text(find_rule(rule)))
    except UsageError as exc:
        raise usage_error(str(exc)) from None


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        typer.echo(f"loopdoctor: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(3)
