"""Bounds for the VTIMEZONE components of a feed, before any library expands them.

A VTIMEZONE says when a zone changes its offset by a recurrence rule (``RRULE`` in its
``STANDARD`` and ``DAYLIGHT`` parts) or a list of dates (``RDATE``).  icalendar hands such a
component to dateutil, which expands the rule from its ``DTSTART`` every time a time in that
zone is converted — so ``RRULE:FREQ=MINUTELY`` from 1601 (Outlook's usual ``DTSTART``) keeps
the reader busy for hours, and icalendar caches the zone for the whole process as soon as it
has *parsed* the component.  Real zones change their offset at most twice a year; a zone rule
that recurs more often than that is refused before icalendar sees it, and the times that
refer to it are read like times of an unknown zone (see the reader).

>>> refused_zone(["BEGIN:VTIMEZONE", "TZID:Evil", "BEGIN:STANDARD", "DTSTART:16010101T000000",
...               "TZOFFSETFROM:+0100", "TZOFFSETTO:+0100", "RRULE:FREQ=MINUTELY",
...               "END:STANDARD", "END:VTIMEZONE"])
"its STANDARD rule 'FREQ=MINUTELY' changes the offset more than twice a year"
>>> refused_zone(["BEGIN:VTIMEZONE", "TZID:W. Europe", "BEGIN:DAYLIGHT",
...               "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
...               "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT", "END:VTIMEZONE"])
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from dateutil.rrule import rrulestr

#: Offset changes a zone rule may make in one year (real zones: one per STANDARD/DAYLIGHT).
MAX_PER_YEAR = 2
#: Dates an ``RDATE`` list of one zone component may name (about 500 years of changes).
MAX_RDATES = 1000
#: Years a rule is checked over, from its ``DTSTART``; a well-formed zone repeats yearly.
CHECKED_YEARS = 8
_FREQS = ("YEARLY",)


def _value(line: str) -> tuple[str, str]:
    name, _, value = line.partition(":")
    return name.split(";", 1)[0].strip().upper(), value.strip()


def _rule_problem(kind: str, rule: str, dtstart: str) -> str | None:
    parts = {p.split("=", 1)[0].strip().upper(): p.partition("=")[2]
             for p in rule.removeprefix("RRULE:").split(";") if p.strip()}
    freq = parts.get("FREQ", "").strip().upper()
    if freq not in _FREQS:
        return f"its {kind} rule {rule!r} changes the offset more than twice a year"
    try:
        start = datetime.strptime(dtstart[:15], "%Y%m%dT%H%M%S")
    except ValueError:
        start = datetime(2000, 1, 1)
    try:
        expanded = rrulestr(rule, dtstart=start, ignoretz=True)
    except (ValueError, TypeError, OverflowError) as exc:
        return f"its {kind} rule {rule!r} cannot be read ({exc})"
    # A yearly rule can still name every second of the year (BYHOUR, BYMINUTE, BYSECOND, a
    # BYMONTHDAY list ...): count what it makes in the first years, and stop at the first
    # year over the limit.  Each year is produced lazily, so this is cheap for any rule.
    per_year: dict[int, int] = {}
    try:
        for occurrence in expanded:
            if occurrence.year >= start.year + CHECKED_YEARS:
                break
            per_year[occurrence.year] = per_year.get(occurrence.year, 0) + 1
            if per_year[occurrence.year] > MAX_PER_YEAR:
                return f"its {kind} rule {rule!r} changes the offset more than twice a year"
    except (ValueError, OverflowError):  # runs past year 9999: nothing left to expand
        pass
    return None


def refused_zone(lines: Iterable[str]) -> str | None:
    """Why the VTIMEZONE block ``lines`` (unfolded content lines) is refused, or ``None``."""
    kind: str | None = None
    rules: list[str] = []
    rdates = 0
    dtstart = ""
    for line in lines:
        name, value = _value(line)
        upper = line.strip().upper()
        if upper.startswith("BEGIN:") and upper[6:] in ("STANDARD", "DAYLIGHT"):
            kind, rules, rdates, dtstart = upper[6:], [], 0, ""
        elif upper.startswith("END:") and kind is not None and upper[4:] == kind:
            for rule in rules:
                problem = _rule_problem(kind, rule, dtstart)
                if problem:
                    return problem
            kind = None
        elif kind is not None:
            if name == "RRULE":
                rules.append(value)
            elif name == "DTSTART":
                dtstart = value
            elif name == "RDATE":
                rdates += value.count(",") + 1
                if rdates > MAX_RDATES:
                    return f"its {kind} part names more than {MAX_RDATES} RDATEs"
    return None


def without_zones(lines: list[str]) -> tuple[list[str], bool]:
    """``lines`` of a VEVENT block without VTIMEZONE components nested in it, which RFC 5545
    does not allow there and which icalendar would register for the whole process; and
    whether there were any."""
    out: list[str] = []
    depth = 0
    for line in lines:
        upper = line.strip().upper()
        if upper == "BEGIN:VTIMEZONE":
            depth += 1
        elif depth:
            if upper == "END:VTIMEZONE":
                depth -= 1
        else:
            out.append(line)
    return out, len(out) != len(lines)
