"""``loopdoctor run``: scenarios × client strategies, each cell in a child process.

- :mod:`.scenario`: what a scenario is, and where scenarios are found; :mod:`.scenarios`, the
  built-in ones, one per module;
- :mod:`.strategies`: the built-in ways to obtain a client, each declaring its verdicts, and the
  user's ``--factory``;
- :mod:`.verdict`: the outcomes, and how a cell's measurements decide one;
- :mod:`.sdk`: which SDK stack is installed;
- :mod:`.harness`: the processes: plan, session, runner (parent), child and watchdog (cell);
- :mod:`.report`: the table, json, junit and github renderers.
"""
