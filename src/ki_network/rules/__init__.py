"""Coordination rules and the engine that runs them (``ki-network check``).

>>> from datetime import date
>>> from ki_network.testing import tiny_network
>>> result = run_rules(tiny_network(), language="en", today=date(2026, 3, 2),
...                    only=["isolated-actor"])
>>> [(f.rule, f.subjects, f.severity.value) for f in result.findings]
[('isolated-actor', ('verein',), 'warning')]

See ``docs/rules.md``.
"""

from .builtin import BUILTIN_RULES
from .engine import (
    RULE_FAILED,
    CheckResult,
    RuleContext,
    RuleFailure,
    context_of,
    run_rules,
    title_of,
    validate_rule_settings,
)

__all__ = [
    "BUILTIN_RULES",
    "RULE_FAILED",
    "CheckResult",
    "RuleContext",
    "RuleFailure",
    "context_of",
    "run_rules",
    "title_of",
    "validate_rule_settings",
]
