"""VTIMEZONE components written with RRULE-style transitions, generated from zoneinfo data.

icalendar's ``Timezone.from_tzinfo`` lists the transitions as RDATEs.  ical.js and Outlook read
only the first value of such a list, and summer events then end up an hour off; so we derive
the yearly rules from the transitions themselves: each kind of transition (to summer time, to
standard time) that falls every year in the same month, on the same weekday of the same week
(or the last one) at the same wall-clock time becomes one observance with
``RRULE:FREQ=YEARLY;BYMONTH=..;BYDAY=..``.  For Europe/Berlin that yields the EU rule
(last Sunday of March and October).  A zone whose rules changed within the years covered gets
one observance per transition instead (DTSTART only, no RDATE list), which every client reads.

>>> from zoneinfo import ZoneInfo
>>> component = vtimezone(ZoneInfo("Europe/Berlin"), 2026, 2026)
>>> print(component.to_ical().decode().replace("\\r\\n", "\\n"), end="")
BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
DTSTART:20250330T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZNAME:CEST
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
BEGIN:STANDARD
DTSTART:20251026T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZNAME:CET
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

import attrs
import icalendar

from ..zones import Transition, _offset, transitions

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _byday(local: datetime) -> set[str]:
    """The BYDAY values that name ``local``'s day in its month: ``2SU`` and maybe ``-1SU``."""
    weekday = _WEEKDAYS[local.weekday()]
    values = {f"{(local.day - 1) // 7 + 1}{weekday}"}
    if local.day + 7 > calendar.monthrange(local.year, local.month)[1]:
        values.add(f"-1{weekday}")
    return values


def _yearly_rule(group: list[Transition], years: int) -> str | None:
    """The BYMONTH/BYDAY rule that produces every transition of ``group``, if there is one."""
    if len(group) != years or len({t.local.year for t in group}) != years:
        return None
    locals_ = [t.local for t in group]
    if len({(d.month, d.weekday(), d.time()) for d in locals_}) != 1:
        return None
    common = set.intersection(*(_byday(d) for d in locals_))
    if not common:
        return None
    byday = next((b for b in sorted(common) if b.startswith("-")), min(common))
    return f"FREQ=YEARLY;BYMONTH={locals_[0].month};BYDAY={byday}"


def _observance(transition: Transition, rule: str | None) -> icalendar.cal.Component:
    component: icalendar.cal.Component = (
        icalendar.TimezoneDaylight() if transition.dst else icalendar.TimezoneStandard())
    component.add("tzname", transition.name)
    component.add("tzoffsetfrom", transition.before)
    component.add("tzoffsetto", transition.after)
    component.add("dtstart", transition.local)
    if rule is not None:
        component.add("rrule", icalendar.vRecur.from_ical(rule))
    return component


def zone_id(zone: tzinfo) -> str:
    """The TZID of ``zone``: its IANA key."""
    key = getattr(zone, "key", None)
    if not isinstance(key, str):
        raise TypeError(f"{zone!r} has no IANA name; convert such times to UTC")
    return key


@lru_cache(maxsize=64)
def vtimezone(zone: tzinfo, first_year: int, last_year: int) -> icalendar.Timezone:
    """A VTIMEZONE for ``zone`` that is right for times from ``first_year`` on.

    The observances start in the year before ``first_year`` (so that the first event of
    ``first_year`` lies after an observance's DTSTART, which Outlook needs) and the rules are
    checked against zoneinfo up to ``last_year + 1``.
    """
    low, high = first_year - 1, max(last_year, first_year) + 1
    found = transitions(zone, low, high)
    component = icalendar.Timezone()
    component.add("tzid", zone_id(zone))
    if not found:
        instant = datetime(low, 1, 1, tzinfo=UTC)
        offset = _offset(zone, instant)
        local = instant.astimezone(zone)
        fixed = Transition(instant, offset, offset, bool(local.dst()), local.tzname() or "")
        component.add_component(_observance(attrs.evolve(fixed, at=datetime(
            1970, 1, 1, tzinfo=UTC) - offset), None))
        return component
    groups: dict[tuple[timedelta, timedelta, bool, str], list[Transition]] = defaultdict(list)
    for transition in found:
        groups[(transition.before, transition.after, transition.dst, transition.name)].append(
            transition)
    rules = {key: _yearly_rule(group, high - low + 1) for key, group in groups.items()}
    if all(rule is not None for rule in rules.values()):
        observances = sorted(((group[0], rules[key]) for key, group in groups.items()),
                             key=lambda pair: pair[0].at)
    else:
        observances = [(t, None) for t in found]
    for transition, rule in observances:
        component.add_component(_observance(transition, rule))
    return component
