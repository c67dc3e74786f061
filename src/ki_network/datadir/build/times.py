"""Dates and times as the data directory writes them: parsing, checking, comparing."""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any

from dateutil.rrule import rrulestr

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
