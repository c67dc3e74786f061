"""Dates and times as the data directory writes them: parsing, checking, comparing."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from typing import Any

from dateutil.rrule import rrule, rrulestr

from ...model import (
    DateOrDateTime,
)


@functools.lru_cache(maxsize=4096)
def _rrule_error(rrule: str) -> str | None:
    """Why ``rrule`` does not parse, or ``None``.

    Whether a rule parses does not depend on its start (naive, time zones ignored), so the
    answer is cached per text: a large network repeats a few dozen rules many thousand times,
    and parsing one costs dateutil about 30 µs.
    """
    try:
        rrulestr(rrule, dtstart=datetime(2000, 1, 1), ignoretz=True)
    except (ValueError, TypeError) as exc:
        return str(exc)
    return None


#: Years a date of the data may lie in: beyond them a date is a typo (0001, 9999), and the
#: calendar arithmetic of exports and checks (a day before, a year after) would overflow.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def year_error(value: DateOrDateTime) -> str | None:
    """Why ``value`` lies outside the years the data may use, or ``None``."""
    if FIRST_YEAR <= value.year <= LAST_YEAR:
        return None
    return f"the year {value.year:04d} is outside {FIRST_YEAR}-{LAST_YEAR}"


#: ``FREQ`` values finer than a day: "every minute" is never meant in a calendar of offers,
#: and a rule like ``FREQ=SECONDLY`` without an end gives 86,400 occurrences a day.  A network
#: that needs them sets ``recurrence: {sub_daily: true}`` in ``network.yaml``.
SUB_DAILY = ("HOURLY", "MINUTELY", "SECONDLY")

_GREGORIAN_CYCLE = 400  # years after which weekdays and leap years repeat exactly


def rrule_refusal(text: str, start: DateOrDateTime, *, sub_daily: bool = False) -> str | None:
    """Why a rule that parses cannot be meant, or ``None``: an interval of 0 (dateutil
    would never advance), a frequency finer than daily (unless ``sub_daily``), an ``UNTIL``
    outside the years of the data, or no occurrence after the first one at all (dateutil
    would search until the year 9999 for one, on every expansion).
    """
    refusal, plain = _refusal_by_text(text, sub_daily)
    if refusal is not None or plain:
        return refusal
    dtstart = start if isinstance(start, datetime) else datetime(start.year, start.month,
                                                                   start.day)
    return _never_repeats(text, dtstart.replace(tzinfo=None))


@functools.lru_cache(maxsize=4096)
def _refusal_by_text(text: str, sub_daily: bool) -> tuple[str | None, bool]:
    """What the rule's text alone tells: a refusal, and whether it plainly repeats."""
    parts = dict(_rule_parts(text))
    freq = parts.get("FREQ", "")
    if parts.get("INTERVAL", "1").strip().lstrip("0") == "":
        return "INTERVAL=0 never advances; use INTERVAL=1 or more", False
    if freq in SUB_DAILY and not sub_daily:
        return (f"FREQ={freq} repeats more often than daily; allow it with "
                "'recurrence: {sub_daily: true}' in network.yaml"), False
    until = parts.get("UNTIL", "")
    if until[:4].isdigit() and not FIRST_YEAR <= int(until[:4]) <= LAST_YEAR:
        return f"UNTIL: the year {until[:4]} is outside {FIRST_YEAR}-{LAST_YEAR}", False
    return None, _plainly_repeats(parts)


_PLAIN_PARTS = frozenset({"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY", "BYMONTHDAY"})


def _plainly_repeats(parts: dict[str, str]) -> bool:
    """True for the rules people write (``FREQ=WEEKLY;BYDAY=TU``, ``FREQ=MONTHLY;BYDAY=1WE``,
    ``FREQ=MONTHLY;BYMONTHDAY=15``, every other week ...), which repeat from any start.

    Those need no search by :func:`_never_repeats`, which depends on the start and so could
    not be cached for a network of many offers: each day of the week is in every week, days
    1-28 and the first to fourth weekday in every month, and an interval only skips periods.
    """
    freq = parts.get("FREQ")
    if freq not in ("DAILY", "WEEKLY", "MONTHLY", "YEARLY") or not parts.keys() <= _PLAIN_PARTS:
        return False
    interval = int(parts.get("INTERVAL", "1")) if parts.get("INTERVAL", "1").isdigit() else 0
    days = [d.strip() for d in parts.get("BYDAY", "").split(",") if d.strip()]
    monthdays = [d.strip() for d in parts.get("BYMONTHDAY", "").split(",") if d.strip()]
    if any(not re.fullmatch(r"[+-]?(?:[1-9]|1[0-9]|2[0-8])", d) for d in monthdays):
        return False
    for day in days:
        ordinal = day[:-2]
        if ordinal and (freq != "MONTHLY" or not re.fullmatch(r"[+-]?[1-4]", ordinal)):
            return False
    if interval != 1 and ((freq == "DAILY" and (days or monthdays))
                          or (freq == "WEEKLY" and monthdays) or (days and monthdays)):
        return False
    return interval >= 1


def _rule_parts(text: str) -> list[tuple[str, str]]:
    parts = []
    for part in text.strip().removeprefix("RRULE:").split(";"):
        name, _, value = part.partition("=")
        parts.append((name.strip().upper(), value.strip().upper()))
    return parts


@functools.lru_cache(maxsize=4096)
def _never_repeats(text: str, dtstart: datetime) -> str | None:
    # A rule's pattern repeats every 400 years, weekdays included, so it is tried at the same
    # day of a year between 9600 and 9999: dateutil gives up at 9999, so at worst 400 years
    # are searched instead of thousands (seconds for a daily rule that never matches).
    # A cheap yearly version of the rule (same days of the year, no interval) comes first:
    # most rules that cannot match fail there in a few dozen steps.
    try:
        parsed = rrulestr(text, dtstart=dtstart, ignoretz=True)
    except (ValueError, TypeError) as exc:
        return str(exc)
    if not isinstance(parsed, rrule):
        return None
    until = getattr(parsed, "_until", None)
    if until is not None and (message := year_error(until)) is not None:
        return f"UNTIL: {message}"
    far = dtstart.replace(year=dtstart.year + _GREGORIAN_CYCLE * (
        (9600 - dtstart.year) // _GREGORIAN_CYCLE + 1))
    if far.year > 9999:  # cannot happen for years of the data
        return None
    yearly = ";".join(f"{name}={_plain_days(value) if name == 'BYDAY' else value}"
                      for name, value in _rule_parts(text)
                      if name not in ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYSETPOS"))
    try:
        probe = rrulestr("FREQ=YEARLY" + (";" + yearly if yearly else ""),
                         dtstart=far.replace(year=9940 + far.year % 4), ignoretz=True)
        if probe.after(far.replace(year=9940 + far.year % 4), inc=True) is None:
            return "the rule has no occurrence on any day"
        shifted = rrulestr(_without_end(text), dtstart=far, ignoretz=True)
        if shifted.after(far) is None:
            return "the rule never repeats after its first occurrence"
    except (ValueError, TypeError, OverflowError):
        return None
    return None


def _plain_days(value: str) -> str:
    """``BYDAY`` without the ordinals (``1TU`` → ``TU``): a superset, for the cheap probe."""
    return ",".join(day.strip().lstrip("+-0123456789") for day in value.split(","))


def _without_end(text: str) -> str:
    return ";".join(f"{name}={value}" for name, value in _rule_parts(text)
                    if name not in ("UNTIL", "COUNT"))


def _not_a_time(key: str, value: Any) -> str:
    return (f"'{key}' {value!s} is not a date (2026-01-31) or a date and time "
            "(2026-01-31T18:00)")


def _comparable(value: DateOrDateTime) -> datetime:
    """Wall-clock time without zone, so dates, naive and aware date-times compare."""
    if isinstance(value, datetime):
        return value if value.tzinfo is None else value.replace(tzinfo=None)
    return datetime(value.year, value.month, value.day)


def _day_of(value: DateOrDateTime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _show(value: DateOrDateTime) -> str:
    return value.isoformat(timespec="minutes") if isinstance(value, datetime) else value.isoformat()


def parse_time(value: Any) -> DateOrDateTime | None:
    """A date or date-time from YAML (already parsed) or ISO text; ``None`` if malformed.

    >>> parse_time("2026-01-13T09:30"), parse_time("2026-01-13")
    (datetime.datetime(2026, 1, 13, 9, 30), datetime.date(2026, 1, 13))
    >>> parse_time("13.01.2026") is None
    True
    """
    if isinstance(value, datetime | date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        return None
