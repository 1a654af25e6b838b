"""The rule table. One module per rule, ``ldNNN_name.py``; ``ALL_RULES`` is in code order.

``CODES`` comes from the module names alone: checking a selector imports no rule, and so
none of the analyzer (a warm scan answers from the cache without it). ``ALL_RULES`` and
``BY_CODE`` import every rule on first use.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from loopdoctor.scan.rules.base import Rule

    ALL_RULES: tuple[Rule, ...]
    BY_CODE: dict[str, Rule]

# Every ``ldNNN_*`` module beside this one defines one RULE; their names sort in code order.
_MODULES = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("ld"))
CODES: tuple[str, ...] = tuple(name[:5].upper() for name in _MODULES)


def __getattr__(name: str) -> Any:
    if name not in ("ALL_RULES", "BY_CODE"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    rules = tuple(importlib.import_module(f"{__name__}.{module}").RULE for module in _MODULES)
    globals().update(ALL_RULES=rules, BY_CODE={rule.code: rule for rule in rules})
    return globals()[name]
