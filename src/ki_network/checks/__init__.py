"""The checks: coordination rules, the engine that runs them (``ki-network check``) and the
schedule conflicts they report.

>>> from datetime import date
>>> from ki_network.testing import tiny_network
>>> result = run_rules(tiny_network(), language="en", today=date(2026, 3, 2),
...                    only=["isolated-actor"])
>>> [(f.rule, f.subjects, f.severity.value) for f in result.findings]
[('isolated-actor', ('verein',), 'warning')]

See ``docs/rules.md``.
"""

from ..plugin.contracts import Rule
from .conflict_kinds import Conflict, HolidayCollision, Overlap
from .conflicts import detect_conflicts
from .coverage import CoverageGapRule, LanguageGapRule
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
from .graph import IsolatedActorRule, SuggestedIntroductionRule
from .offers import ExpiredOfferRule, MissingContactRule, MissingLocationRule, StaleOfferRule
from .wording import Wording
from .wrapped import CALENDAR_RULES, DUPLICATE_RULES, duplicate_findings, find_conflicts

#: every built-in rule, in the order ``ki-network check`` lists them
BUILTIN_RULES: tuple[Rule, ...] = (
    *CALENDAR_RULES,
    CoverageGapRule(),
    LanguageGapRule(),
    IsolatedActorRule(),
    SuggestedIntroductionRule(),
    ExpiredOfferRule(),
    StaleOfferRule(),
    MissingContactRule(),
    MissingLocationRule(),
    *DUPLICATE_RULES,
)

__all__ = [
    "BUILTIN_RULES",
    "RULE_FAILED",
    "CheckResult",
    "Conflict",
    "HolidayCollision",
    "Overlap",
    "RuleContext",
    "RuleFailure",
    "Wording",
    "context_of",
    "detect_conflicts",
    "duplicate_findings",
    "find_conflicts",
    "run_rules",
    "title_of",
    "validate_rule_settings",
]
