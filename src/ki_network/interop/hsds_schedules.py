"""HSDS schedules as schedule entries of ours: clock times with or without offsets, dates,
weekly and monthly rules, and the exact times kept for a round trip."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from dateutil.rrule import rrulestr

from .hsds_export import EXTENSION, TZID

#: Where opening hours without a start date begin: a fixed Monday, so that re-imports of the
#: same data give the same records.
ANCHOR = date(2024, 1, 1)


_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$",
                    re.IGNORECASE)


_RRULE_PARTS = (("freq", "FREQ"), ("interval", "INTERVAL"), ("byday", "BYDAY"),
                ("bymonthday", "BYMONTHDAY"), ("byweekno", "BYWEEKNO"),
                ("byyearday", "BYYEARDAY"), ("wkst", "WKST"), ("count", "COUNT"))


def _clock(value: Any) -> tuple[time, timezone | None] | None:
    match = _CLOCK.match(str(value).strip()) if value is not None else None
    if not match:
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 24 or minute > 59 or second > 59:
        return None
    hour %= 24
    zone: timezone | None = None
    if match[4]:
        text = match[4].upper()
        if text == "Z":
            zone = UTC
        else:
            sign = -1 if text[0] == "-" else 1
            digits = text[1:].replace(":", "")
            zone = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return time(hour, minute, second), zone


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _moment(day: date, clock: tuple[time, timezone | None], numeric: Any, zone: ZoneInfo | None,
            local: ZoneInfo) -> datetime:
    """A wall-clock time in ``local`` (naive) where the zone is known, else aware."""
    wall, offset = clock
    if offset is None and zone is None and numeric is not None:
        hours = _float(numeric)
        if hours is not None and -14 <= hours <= 14:
            offset = timezone(timedelta(hours=hours))
    if offset is None:
        naive = datetime.combine(day, wall)
        if zone is None or zone.key == local.key:
            return naive
        return naive.replace(tzinfo=zone).astimezone(local).replace(tzinfo=None)
    aware = datetime.combine(day, wall, tzinfo=offset)
    if zone is not None:
        return aware.astimezone(local).replace(tzinfo=None)
    if datetime.combine(day, wall, tzinfo=local).utcoffset() == offset.utcoffset(None):
        # the network's own offset on that day: meant as its local time, which then also
        # holds after the next change of daylight-saving time
        return datetime.combine(day, wall)
    return aware


def _text_time(value: date | datetime) -> str:
    if isinstance(value, datetime):
        spec = "minutes" if value.second == 0 else "seconds"
        return value.isoformat(timespec=spec)
    return value.isoformat()


@functools.lru_cache(maxsize=4096)
def _rule_ok(rule: str) -> bool:
    try:
        rrulestr(rule, dtstart=datetime(2000, 1, 3))
    except (ValueError, TypeError):
        return False
    return True


@attrs.define
class _Schedules:
    local: ZoneInfo
    default_zone: str | None
    notes: list[str]

    def record(self, s: Mapping[str, Any], where: str, offer_title: str) -> dict[str, Any] | None:
        """Our schedule entry for HSDS schedule ``s``; ``None`` for a closed-day row."""
        ext = _ext(s)
        zone_name = s.get(TZID) or self.default_zone
        zone: ZoneInfo | None = None
        if isinstance(zone_name, str):
            try:
                zone = ZoneInfo(zone_name)
            except (ValueError, KeyError, OSError):
                self.notes.append(f"{where}: unknown time zone {zone_name!r}; times taken as "
                                  "local time")
        opens, closes = _clock(s.get("opens_at")), _clock(s.get("closes_at"))
        for field in ("opens_at", "closes_at"):
            if s.get(field) is not None and _clock(s.get(field)) is None:
                self.notes.append(f"{where}: {field} {s.get(field)!r} is not a time; left out")
        if opens is None and closes is None and s.get("x_hsds1_table") == "regular_schedules":
            return None  # an HSDS 1.x day without hours: closed that day
        parts: list[str] = []
        for field, key in _RRULE_PARTS:
            value = s.get(field)
            if value is None:
                continue
            if field in ("interval", "count"):
                number = _float(value)
                if number is None or number < 1:
                    self.notes.append(f"{where}: {field} {value!r} is not a positive number; "
                                      "left out")
                    continue
                text = str(int(number))
            else:
                text = str(value).upper().replace(" ", "")
            parts.append(f"{key}={text}")
        rule = ";".join(parts) if any(p.startswith("FREQ=") for p in parts) else None
        if parts and rule is None and not ext.get("rrule"):
            self.notes.append(f"{where}: recurrence fields without freq; taken as one date")
        until = _date(s.get("until"))
        if rule and until is not None and "COUNT=" in rule:
            rule = ";".join(p for p in rule.split(";") if not p.startswith("COUNT="))
            self.notes.append(f"{where}: count and until both given; count left out "
                              "(RFC 5545 allows one)")
        if rule is None and ext.get("rrule"):
            rule = str(ext["rrule"])
        if rule and not _rule_ok(rule):
            for dubious in ("BYYEARDAY", "BYWEEKNO", "BYMONTHDAY", "WKST"):
                trimmed = ";".join(p for p in rule.split(";") if not p.startswith(dubious + "="))
                if trimmed != rule and _rule_ok(trimmed):
                    self.notes.append(f"{where}: {dubious.lower()} cannot be combined with "
                                      f"{rule.split(';')[0].lower()}; left out")
                    rule = trimmed
                    break
            else:
                if not _rule_ok(rule):
                    self.notes.append(f"{where}: recurrence {rule!r} cannot be read; taken as "
                                      "one date")
                    rule = None
        day = _date(s.get("dtstart")) or _date(s.get("valid_from"))
        if day is None:
            byday = re.search(r"BYDAY=([A-Z,0-9+-]+)", rule or "")
            first = next((d for d in _DAYS if byday and d in byday[1]), "MO")
            day = ANCHOR + timedelta(days=_DAYS.index(first))
        start: date | datetime
        end: date | datetime | None = None
        if opens is not None:
            start = _moment(day, opens, s.get("timezone"), zone, self.local)
            if closes is not None:
                end = _moment(day, closes, s.get("timezone"), zone, self.local)
                if end <= start:
                    end = end + timedelta(days=1)
                    if not ext:
                        self.notes.append(f"{where}: closes_at {s.get('closes_at')} is not "
                                          "after opens_at; taken as the next day")
        else:
            start = day
            if closes is not None:
                self.notes.append(f"{where}: closes_at without opens_at; left out")
        record: dict[str, Any] = {}
        exact = _exact(ext, start)
        if exact is not None:
            record["start"] = exact[0]
            if exact[1] is not None:
                record["end"] = exact[1]
        else:
            record["start"] = _text_time(start)
            if end is not None:
                record["end"] = _text_time(end)
        if rule:
            record["rrule"] = rule
        if until is not None and rule:
            ext_until = ext.get("until")
            record["until"] = ext_until if isinstance(ext_until, str) and \
                ext_until[:10] == until.isoformat() else until.isoformat()
            if "UNTIL=" in rule:
                del record["until"]
        for key in ("exdates", "rdates"):
            if isinstance(ext.get(key), list) and ext[key]:
                record[key] = list(ext[key])
        if isinstance(ext.get("extra"), Mapping):
            record.update(ext["extra"])
        return record


def _exact(ext: Mapping[str, Any], start: date | datetime) -> tuple[str, str | None] | None:
    """Our exact start and end from the extension, if they agree with the HSDS fields."""
    value = ext.get("start")
    if not isinstance(value, str):
        return None
    if value[:16] != _text_time(start)[:16] and value[:10] != _text_time(start)[:10]:
        return None
    if isinstance(start, datetime) and value[11:16] != _text_time(start)[11:16]:
        return None
    end = ext.get("end")
    return value, end if isinstance(end, str) else None


def _ext(obj: Mapping[str, Any]) -> dict[str, Any]:
    value = obj.get(EXTENSION)
    return dict(value) if isinstance(value, Mapping) else {}


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number
