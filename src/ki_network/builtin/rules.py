"""The built-in rules, registered like any plugin's (``DEFAULT_PLUGINS``)."""

from __future__ import annotations

from ..checks import BUILTIN_RULES
from ..plugin import Rule, hookimpl


@hookimpl
def ki_network_rules() -> list[Rule]:
    """The built-in coordination rules (see ``docs/rules.md``)."""
    return list(BUILTIN_RULES)
