"""Renderers for ``loopdoctor scan``: text (ruff-style), json, sarif, github, gitlab, junit."""
