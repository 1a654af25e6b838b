"""Runs cells: each (scenario, strategy, endpoint) in a child process under a watchdog."""
