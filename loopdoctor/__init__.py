"""Reproduce, detect and explain cross-event-loop deadlocks."""

__version__ = "0.1.0"
