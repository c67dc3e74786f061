"""The kinds of schedule conflict as typed results, without words: two series that meet
(:class:`Overlap`) and a series on closed days (:class:`HolidayCollision`), with their rule
ids and evidence."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import attrs

from ..calendar.series import Item
from ..model import ClosedDay, Severity

if TYPE_CHECKING:
    pass


SCHEDULE_CONFLICT = "schedule-conflict"


LOCATION_DOUBLE_BOOKED = "location-double-booked"


ORGANISER_DOUBLE_BOOKED = "organiser-double-booked"


HOLIDAY_COLLISION = "holiday-collision"


RULE_IDS = (SCHEDULE_CONFLICT, LOCATION_DOUBLE_BOOKED, ORGANISER_DOUBLE_BOOKED, HOLIDAY_COLLISION)


_EXAMPLES = 5


#: how evidence writes a local time
_MINUTE = "%Y-%m-%d %H:%M"


@attrs.frozen
class Overlap:
    """Two series that meet at the same time under one rule: for the same people
    (``schedule-conflict``), at the same place (``location-double-booked``) or with the same
    organiser or contact person at two places (``organiser-double-booked``).

    ``times`` are the starts (local, aware) of the first overlapping occurrences of ``a`` and
    ``b``, at most five pairs; ``count`` is how often they overlap in the window.
    """

    rule: str
    a: Item
    b: Item
    series: tuple[str, str]
    count: int
    times: tuple[tuple[datetime, datetime], ...]
    subjects: tuple[str, ...]
    #: ``schedule-conflict``: where and for whom
    municipality: str = ""
    target_groups: tuple[str, ...] = ()
    #: ``location-double-booked``: the place as ``a`` names it
    location: str = ""
    #: ``organiser-double-booked``: the actors and the named contact people (case-folded)
    actors: tuple[str, ...] = ()
    people: tuple[str, ...] = ()

    @property
    def severity(self) -> Severity:
        return Severity.WARNING

    @property
    def first(self) -> datetime:
        """When the first overlap begins (the later of the two starts)."""
        return max(self.times[0])

    def evidence(self) -> dict[str, Any]:
        """The facts, independent of language: ``Finding.evidence``."""
        evidence: dict[str, Any] = {
            "occurrences": self.count, "first": self.first.strftime(_MINUTE),
            "times": [[x.strftime(_MINUTE), y.strftime(_MINUTE)] for x, y in self.times],
            "series": list(self.series)}
        if self.rule == SCHEDULE_CONFLICT:
            evidence.update(municipality=self.municipality,
                            target_groups=list(self.target_groups))
        elif self.rule == LOCATION_DOUBLE_BOOKED:
            evidence.update(location=self.location)
        else:
            evidence.update(actors=list(self.actors), people=list(self.people),
                            locations=[self.a.location or self.a.municipality,
                                       self.b.location or self.b.municipality])
        return evidence


@attrs.frozen
class HolidayCollision:
    """A series for the people of ``groups`` that meets on closed days: one public holiday,
    or (all together) the school holidays of the window.  ``days`` are all the local days
    it meets on them."""

    subjects: tuple[str, ...]
    series: str
    holidays: tuple[ClosedDay, ...]
    days: tuple[date, ...]
    groups: tuple[str, ...]
    rule: str = HOLIDAY_COLLISION

    @property
    def public(self) -> bool:
        return self.holidays[0].kind == "public_holiday"

    @property
    def severity(self) -> Severity:
        return Severity.WARNING if self.public else Severity.INFO

    @property
    def names(self) -> tuple[str, ...]:
        """The holidays' names, each once, in order."""
        return tuple(dict.fromkeys(c.name for c in self.holidays))

    @property
    def first(self) -> date:
        return self.days[0]

    def evidence(self) -> dict[str, Any]:
        """The facts, independent of language: ``Finding.evidence``."""
        return {"holiday": ", ".join(self.names), "kind": self.holidays[0].kind,
                "holiday_first": self.holidays[0].first.isoformat(),
                "holiday_last": self.holidays[-1].last.isoformat(), "series": [self.series],
                "first": self.days[0].isoformat(), "occurrences": len(self.days),
                "dates": [d.isoformat() for d in self.days[:_EXAMPLES]]}


#: what :func:`detect_conflicts` finds
Conflict = Overlap | HolidayCollision
