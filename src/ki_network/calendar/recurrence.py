"""Recurrence rules of the data format as dateutil rules: RRULE text, UNTIL, the bounds."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from dateutil.rrule import HOURLY, MINUTELY, SECONDLY, YEARLY, rrule, rrulestr

from ..model import DateOrDateTime, Schedule

if TYPE_CHECKING:
    pass
from .zones import wall_clock

#: The most starts one series generates in one expansion (a daily series over 328 years):
#: a rule finer than daily or a window of centuries stays bounded in time and memory.
MAX_OCCURRENCES = 120_000


def _split_until(rule: str) -> tuple[str, str | None]:
    """The rule without its UNTIL part, and the UNTIL value (RFC 5545 text) if there was one."""
    parts = [p for p in rule.strip().removeprefix("RRULE:").split(";") if p]
    until = next((p.split("=", 1)[1] for p in parts if p.upper().startswith("UNTIL=")), None)
    return ";".join(p for p in parts if not p.upper().startswith("UNTIL=")), until


def _ical_time(text: str) -> DateOrDateTime:
    text = text.strip()
    if len(text) == 8:
        return datetime.strptime(text, "%Y%m%d").date()
    parsed = datetime.strptime(text.rstrip("Zz"), "%Y%m%dT%H%M%S")
    return parsed.replace(tzinfo=UTC) if text[-1] in "Zz" else parsed


def local_until(schedule: Schedule, zone: tzinfo, default: tzinfo) -> datetime | None:
    """The inclusive end of the series as naive wall-clock time in ``zone`` (``None``: open).

    A date ends at the end of that day for a timed series, at its midnight for an all-day one.
    """
    until: DateOrDateTime | None = schedule.until
    if until is None and schedule.rrule:
        text = _split_until(schedule.rrule)[1]
        until = _ical_time(text) if text else None
    if until is None:
        return None
    if isinstance(until, datetime):
        return wall_clock(until, zone, default) if schedule.all_day is False else \
            datetime.combine(until.date(), time.min)
    return datetime.combine(until, time.min if schedule.all_day else time.max)


def make_rule(schedule: Schedule, dtstart: datetime, until: datetime | None) -> rrule:
    """The dateutil rule of ``schedule`` starting at naive ``dtstart``, bounded by ``until``."""
    assert schedule.rrule is not None  # noqa: S101 - callers check
    text, _ = _split_until(schedule.rrule)
    parsed = rrulestr(text, dtstart=dtstart, ignoretz=True)
    assert isinstance(parsed, rrule)  # noqa: S101 - a single RRULE, never a set
    if getattr(parsed, "_interval", 1) < 1:  # dateutil would never advance
        raise ValueError(f"rrule {schedule.rrule!r}: INTERVAL must be at least 1")
    if until is None or "COUNT=" in text.upper():  # RFC 5545: COUNT and UNTIL exclude each other
        return parsed
    return parsed.replace(until=until)


def starts_between(rule: rrule, low: datetime, high: datetime,
                   limit: int = MAX_OCCURRENCES) -> list[datetime]:
    """The starts of ``rule`` in ``[low, high]``.

    Bounded by count as well as by the window: at most ``limit`` starts are generated from
    the rule's start on, those before ``low`` included, so a series costs at most that much
    whatever its frequency and the window.  (A daily series within the years of the data,
    1900-2200, has fewer.)  A rule finer than daily without COUNT is first moved forward to
    just before ``low``, where its pattern is the same, so that it is expanded where it is
    looked at.
    """
    rule = _near(rule, low)
    found: list[datetime] = []
    for number, start in enumerate(rule):
        if start > high or number >= limit:
            break
        if start >= low:
            found.append(start)
    return found


_SECONDS = {HOURLY: 3600, MINUTELY: 60, SECONDLY: 1}


def _near(rule: rrule, low: datetime) -> rrule:
    unit = _SECONDS.get(getattr(rule, "_freq", YEARLY))
    dtstart: datetime | None = getattr(rule, "_dtstart", None)
    if unit is None or dtstart is None or getattr(rule, "_count", None) or low <= dtstart:
        return rule
    step = unit * max(getattr(rule, "_interval", 1), 1)
    periods = int((low - dtstart).total_seconds()) // step - 1
    if periods <= 0:
        return rule
    return rule.replace(dtstart=dtstart + timedelta(seconds=periods * step))
