"""``loopdoctor run``: scenarios × client strategies, each cell in a child process.

- :mod:`.scenario`: what a scenario is, and where scenarios are found; :mod:`.scenarios`, the
  built-in ones, one per module;
- :mod:`.strategies`: the built-in ways to obtain a client, each declaring its verdicts, and the
  user's ``--factory``;
- :mod:`.verdict`: the outcomes, and how a cell's measurements decide one;
- :mod:`.clients`: the kinds of client a cell can ask (OpenAI- and Anthropic-style SDKs, httpx,
  httpx2, aiohttp, the user's ``--call``) and the libraries under them;
- :mod:`.cell_report`: what one cell measured, from the child to the verdict;
- :mod:`.harness`: the processes: plan, session, runner (parent), child and watchdog (cell);
- :mod:`.report`: the table, json, junit and github renderers.
"""
