"""The rule table. One module per rule; ``ALL_RULES`` is in code order."""

from __future__ import annotations

import importlib
import pkgutil

from loopdoctor.scan.rules.base import Rule

# Every ``ldNNN_*`` module beside this one defines one RULE; their names sort in code order.
ALL_RULES: tuple[Rule, ...] = tuple(
    importlib.import_module(f"{__name__}.{module.name}").RULE
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
    if module.name.startswith("ld")
)
BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}
