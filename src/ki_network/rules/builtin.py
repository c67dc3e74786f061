"""The built-in rules, registered like any plugin's (``DEFAULT_PLUGINS``)."""

from __future__ import annotations

from ..contracts import Rule
from ..plugins import hookimpl
from .coverage import CoverageGapRule, LanguageGapRule
from .graph import IsolatedActorRule, SuggestedIntroductionRule
from .offers import ExpiredOfferRule, MissingContactRule, MissingLocationRule, StaleOfferRule
from .wrapped import CALENDAR_RULES, DUPLICATE_RULES

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


@hookimpl
def ki_network_rules() -> list[Rule]:
    """The built-in coordination rules (see ``docs/rules.md``)."""
    return list(BUILTIN_RULES)
