"""The fake endpoint in a process of its own, for the harness: ``python -m
loopdoctor.endpoint.process FAULTS``, which serves until its stdin closes.

The server never waits for the harness's interpreter lock, and the harness need not import it.
The process imports the server and nothing else: not the CLI (typer's option parsing alone would
double its CPU time at start).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from typing import Any

from loopdoctor.endpoint.answers import Faults

SERVE = "loopdoctor.endpoint.process"  # this module, run as the server's process


class EndpointProcess:
    """``with EndpointProcess(faults) as endpoint:`` serves until the block ends, or until this
    process dies (the server exits when its stdin closes)."""

    def __init__(self, faults: Faults | None = None) -> None:
        self.faults = faults or Faults()
        self.port = 0
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> EndpointProcess:
        """Launch the server, without waiting for it (see :meth:`wait_ready`)."""
        command = [sys.executable, "-m", SERVE, str(self.faults)]
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         text=True, start_new_session=True)
        return self

    def wait_ready(self) -> EndpointProcess:
        """Wait until the server listens, and learn its port."""
        if self.port or self._process is None:
            return self
        line = self._process.stdout.readline() if self._process.stdout else ""
        match = re.search(r"127\.0\.0\.1:(\d+)/", line)
        if match is None:
            self.stop()
            raise RuntimeError(f"the fake endpoint did not start: {line.strip()!r}")
        self.port = int(match.group(1))
        return self

    def cell_base_url(self, cell: str) -> str:
        return f"http://127.0.0.1:{self.port}/c/{cell}/v1"

    def stats_url(self, cell: str | None = None) -> str:
        query = "" if cell is None else f"?cell={cell}"
        return f"http://127.0.0.1:{self.port}/_loopdoctor/stats{query}"

    def stats(self, cell: str | None = None) -> dict[str, int]:
        return self._get(self.stats_url(cell))

    def all_stats(self) -> dict[str, dict[str, int]]:
        return self._get(f"http://127.0.0.1:{self.port}/_loopdoctor/stats?all")

    @staticmethod
    def _get(url: str) -> Any:
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=5)

    def __enter__(self) -> EndpointProcess:
        return self.start().wait_ready()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def serve_until_stdin_closes(faults: str = "") -> None:
    """Serve, print the address, and stop when stdin closes: when the harness stops it, or dies
    (nothing then outlives it)."""
    from loopdoctor.endpoint.server import Endpoint

    server = Endpoint(faults=Faults.parse(faults)).start()
    print(f"serving the fake LLM endpoint at {server.base_url}", flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()


if __name__ == "__main__":
    serve_until_stdin_closes(*sys.argv[1:2])
