"""Rules whose detection lives elsewhere: duplicates (:mod:`ki_network.duplicates`) and
schedule conflicts (:mod:`ki_network.checks.conflicts`).

These rules only choose the window and share one detection between the rules that read it;
the findings are worded by :mod:`.wording`, as for ``ki-network conflicts``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING

import attrs

from ..calendar.occurrences import occurrences
from ..calendar.series import Occurrence
from ..duplicates import DUPLICATE_RULE, OVERLAP_RULE, DuplicateReport, find_duplicates, rule_of
from ..locale import N_
from ..model import DateOrDateTime, Finding, Severity, Visibility
from ..network import restricted
from ..plugin.contracts import RuleBase
from .conflict_kinds import (
    HOLIDAY_COLLISION,
    LOCATION_DOUBLE_BOOKED,
    ORGANISER_DOUBLE_BOOKED,
    SCHEDULE_CONFLICT,
)
from .conflicts import conflicts_in, detect_conflicts
from .engine import RuleContext
from .wording import Wording

if TYPE_CHECKING:
    from ..network import Network


def find_conflicts(network: Network, start: DateOrDateTime, end: DateOrDateTime, *,
                   language: str | None = None,
                   audience: Visibility | str = Visibility.PUBLIC) -> list[Finding]:
    """Schedule conflicts with occurrences in ``[start, end)`` as findings in ``language``
    (default: the network's), worded as ``ki-network check`` words them.

    ``audience`` (default ``public``): who will read the findings; only what they may see is
    looked at and named (:func:`ki_network.network.restricted`); ``"internal"`` for the KI's
    own view.

    See :func:`.conflicts.detect_conflicts` for the typed results.

    >>> from ki_network.testing import tiny_network
    >>> find_conflicts(tiny_network(), date(2026, 1, 1), date(2027, 1, 1), language="de")
    []
    """
    network = restricted(network, audience)
    wording = Wording(network, language)
    return [wording.conflict(c) for c in detect_conflicts(network, start, end)]


def duplicate_findings(network: Network, report: DuplicateReport | None = None, *,
                       language: str | None = None,
                       audience: Visibility | str = Visibility.PUBLIC) -> list[Finding]:
    """One finding per pair: ``duplicate-offer`` (warning for ``same``, info for ``review``)
    and ``overlapping-offers`` (info), in ``language`` (default: the network's).  Pairs a
    person confirmed as ``same`` stay findings until the records are merged; ``distinct``
    ones are gone.  ``audience`` (default ``public``): who reads the findings; the pairs are
    found among what they may see.  A ``report`` given is trusted to be made for that audience.

    >>> from ki_network.testing import tiny_network
    >>> duplicate_findings(tiny_network())
    []
    """
    network = restricted(network, audience)
    report = report or find_duplicates(network, audience=network.audience)
    wording = Wording(network, language)
    return [wording.duplicate(pair) for pair in report.pairs]


#: days after today that the calendar rules look at, unless a rule says ``days:``
HORIZON_DAYS = 365


def window(settings: RuleContext, *, year_so_far: bool = True) -> tuple[date, date]:
    """``[start, end)`` of a calendar rule: ``from`` (a date) to ``days`` after today.

    ``from`` defaults to the first of January of today's year for the conflict rules: the
    plan of the year is checked as a whole, including what already happened (a clash in
    June is still worth a word in November, when next year's dates are made), and to
    ``today`` for ``stale-offer`` (``year_so_far=False``), which asks about dates ahead.

    >>> window(RuleContext({"days": 7}, today=date(2026, 3, 2)))
    (datetime.date(2026, 1, 1), datetime.date(2026, 3, 9))
    >>> window(RuleContext({"days": 7}, today=date(2026, 3, 2)), year_so_far=False)
    (datetime.date(2026, 3, 2), datetime.date(2026, 3, 9))
    >>> window(RuleContext({"from": "2026-02-01"}, today=date(2026, 3, 2)))
    (datetime.date(2026, 2, 1), datetime.date(2027, 3, 2))
    """
    today = settings.today
    start = settings.get("from", date(today.year, 1, 1) if year_so_far else today)
    if isinstance(start, str):
        start = date.fromisoformat(start)
    if not isinstance(start, date):
        raise TypeError(f"parameter 'from' must be a date, not {start!r}")
    days = settings.parameter("days", int, HORIZON_DAYS)
    return start, max(start, today + timedelta(days=days))


def occurrences_in(network: Network, settings: RuleContext, start: date, end: date
                   ) -> list[Occurrence]:
    """The occurrences of ``[start, end)``, computed once per run and window."""
    return settings.shared_result(("occurrences", id(network), start, end),
                                  lambda: occurrences(network, start, end))


@attrs.frozen
class DuplicateRule(RuleBase):
    """``duplicate-offer`` or ``overlapping-offers``, from :func:`find_duplicates`."""

    id: str
    title: str
    default_severity: Severity
    #: in a large network, run in the second process (see :func:`.engine.run_rules`)
    background: bool = True

    def check(self, network: Network, context: RuleContext) -> Iterator[Finding]:
        report = context.shared_result(("duplicates", id(network)),
                                       lambda: find_duplicates(network, audience=network.audience))
        wording = Wording(network, context.language)
        for pair in report.pairs:
            if rule_of(pair) == self.id:
                yield wording.duplicate(pair)


@attrs.frozen
class CalendarRule(RuleBase):
    """One of the conflict rules of :mod:`ki_network.checks.conflicts`.

    The window is ``from`` (default: the first of January of this year) to ``days`` after
    today (default 365), settable per rule in ``network.yaml``; see :func:`window`.
    """

    id: str
    title: str
    default_severity: Severity

    def check(self, network: Network, context: RuleContext) -> Iterator[Finding]:
        start, end = window(context)
        found = context.shared_result(
            ("conflicts", id(network), start, end),
            lambda: conflicts_in(network, occurrences_in(network, context, start, end)))
        wording = Wording(network, context.language)
        for conflict in found:
            if conflict.rule == self.id:
                yield wording.conflict(conflict)


CALENDAR_RULES = (
    CalendarRule(SCHEDULE_CONFLICT, N_("Schedule conflicts"), Severity.WARNING),
    CalendarRule(LOCATION_DOUBLE_BOOKED, N_("Double-booked places"), Severity.WARNING),
    CalendarRule(ORGANISER_DOUBLE_BOOKED, N_("Organisers in two places at once"),
                 Severity.WARNING),
    CalendarRule(HOLIDAY_COLLISION, N_("Holiday collisions"), Severity.WARNING),
)
DUPLICATE_RULES = (
    DuplicateRule(DUPLICATE_RULE, N_("Duplicate offers"), Severity.WARNING),
    DuplicateRule(OVERLAP_RULE, N_("Overlapping offers"), Severity.INFO),
)
