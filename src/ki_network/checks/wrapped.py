"""Rules whose detection lives elsewhere: duplicates (:mod:`ki_network.duplicates`) and
schedule conflicts (:mod:`ki_network.checks.conflicts`).

These rules only choose the window, share one computation between the rules that read it,
and word the findings in the language of the run: the subjects, severity and evidence are
the detecting package's, the message and suggestion are re-written from that evidence
through the catalogue (the packages themselves word them in English).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from ..calendar.occurrences import occurrences
from ..calendar.series import Occurrence
from ..duplicates import DUPLICATE_RULE, OVERLAP_RULE, duplicate_findings
from ..duplicates.findings import directory_of
from ..locale import N_
from ..model import Finding, Severity
from .conflicts import (
    HOLIDAY_COLLISION,
    LOCATION_DOUBLE_BOOKED,
    ORGANISER_DOUBLE_BOOKED,
    SCHEDULE_CONFLICT,
    conflicts_in,
)
from .engine import RuleContext, context_of
from .names import Names

if TYPE_CHECKING:
    from ..network import Network

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
class DuplicateRule:
    """``duplicate-offer`` or ``overlapping-offers``, from :func:`duplicate_findings`."""

    id: str
    title: str
    default_severity: Severity
    #: in a large network, run in the second process (see :func:`.engine.run_rules`)
    background: bool = True

    def check(self, network: Network, settings: Mapping[str, Any]) -> Iterator[Finding]:
        ctx = context_of(settings)
        found = ctx.shared_result(("duplicates", id(network)),
                                  lambda: duplicate_findings(
                                      network, audience=network.audience))
        names = Names(network, ctx.language)
        for finding in found:
            if finding.rule == self.id:
                yield _reworded_duplicate(finding, names, ctx)


def _reworded_duplicate(finding: Finding, names: Names, settings: RuleContext) -> Finding:
    _ = settings.gettext
    a, b = finding.subjects[0], finding.subjects[-1]
    pa, pb = names.provider_of(a), names.provider_of(b)
    both = _("{a} and {b}").format(a=names.item(a), b=names.item(b))
    if finding.rule == OVERLAP_RULE:
        message = _("{both}: {pa} and {pb} offer the same to the same people at the same place "
                    "and time").format(both=both, pa=names.actor(pa), pb=names.actor(pb))
        suggestion = _("{pa} and {pb} should talk: pool the two offers or stagger their "
                       "times.").format(pa=names.actor(pa), pb=names.actor(pb))
    else:
        who = names.actor(pa) if pa == pb else _("{pa} and {pb}").format(
            pa=names.actor(pa), pb=names.actor(pb))
        if finding.evidence.get("band") == "same":
            message = _("{both} are one offer recorded twice").format(both=both)
        else:
            message = _("{both} may be one offer recorded twice").format(both=both)
        if finding.evidence.get("decision") == "same":  # decided: no --decide advice again
            suggestion = _("A person confirmed that they are one offer: {who} should merge "
                           "the two records (keep {a} or {b}).").format(who=who, a=a, b=b)
        else:
            suggestion = _("{who} should check with whoever entered them, then merge the "
                           "records or record the verdict: ki-network duplicates {directory} "
                           "--decide {a} {b} same|distinct").format(
                who=who, a=a, b=b, directory=directory_of(names.network))
    return attrs.evolve(finding, message=message, suggestion=suggestion)


@attrs.frozen
class CalendarRule:
    """One of the conflict rules of :mod:`ki_network.checks.conflicts`.

    The window is ``from`` (default: the first of January of this year) to ``days`` after
    today (default 365), settable per rule in ``network.yaml``; see :func:`window`.
    """

    id: str
    title: str
    default_severity: Severity

    def check(self, network: Network, settings: Mapping[str, Any]) -> Iterator[Finding]:
        ctx = context_of(settings)
        start, end = window(ctx)
        found = ctx.shared_result(
            ("conflicts", id(network), start, end),
            lambda: conflicts_in(network, occurrences_in(network, ctx, start, end)))
        names = Names(network, ctx.language)
        for finding in found:
            if finding.rule == self.id:
                yield _reworded_conflict(finding, names, ctx)


def _reworded_conflict(finding: Finding, names: Names, settings: RuleContext) -> Finding:
    _ = settings.gettext
    evidence: dict[str, Any] = dict(finding.evidence)
    count = int(evidence.get("occurrences", 1))
    first = str(evidence.get("first", ""))
    subjects = finding.subjects
    if finding.rule == HOLIDAY_COLLISION:
        item = subjects[0]
        public = evidence.get("kind") == "public_holiday"
        kind = _("public holiday") if public else _("school holidays")
        message = settings.ngettext(
            "{item} takes place on {count} day of {holiday} ({kind}), on {first}",
            "{item} takes place on {count} days of {holiday} ({kind}), first on {first}",
            count).format(item=names.item(item), count=count, holiday=evidence.get("holiday"),
                          kind=kind, first=names.day(first))
        suggestion = (_("Many families are away or busy then: {actor} could move or pause it.")
                      if public else
                      _("{actor} could check whether it should pause in the holidays, or say "
                        "that it runs on.")).format(actor=names.actor(names.provider_of(item)))
        return attrs.evolve(finding, message=message, suggestion=suggestion)
    often = settings.ngettext("{count} time, on {first}", "{count} times, first on {first}",
                              count).format(count=count, first=names.moment(first))
    a, b = subjects[0], subjects[-1]
    pa, pb = names.actor(names.provider_of(a)), names.actor(names.provider_of(b))
    both = _("{a} ({pa}) and {b} ({pb})").format(a=names.item(a), pa=pa, b=names.item(b), pb=pb)
    who = pa if pa == pb else _("{pa} and {pb}").format(pa=pa, pb=pb)
    if finding.rule == SCHEDULE_CONFLICT:
        groups = names.listing(names.group(g) for g in evidence.get("target_groups", ()))
        message = _("{both} are for the same people ({groups}) in {municipality} at the same "
                    "time: {often}").format(
            both=both, groups=groups,
            municipality=names.municipality(str(evidence.get("municipality", ""))), often=often)
        suggestion = _("{who} could agree on different times, or combine the two.").format(
            who=who)
    elif finding.rule == LOCATION_DOUBLE_BOOKED:
        message = _("{both} are both at {place} at the same time: {often}").format(
            both=both, place=evidence.get("location", ""), often=often)
        suggestion = _("{who} should check the room booking.").format(who=who)
    elif finding.rule == ORGANISER_DOUBLE_BOOKED:
        actors = names.listing(names.actor(x) for x in evidence.get("actors", ()))
        message = _("{actors} would be at two places at once: {both}, {often}").format(
            actors=actors, both=both, often=often)
        suggestion = _("{actors} could move one of them, or name who else runs it.").format(
            actors=actors)
    else:  # a rule id the calendar package added later: keep its own words
        return finding
    return attrs.evolve(finding, message=message, suggestion=suggestion)


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
