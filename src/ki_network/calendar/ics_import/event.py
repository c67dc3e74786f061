"""One VEVENT (as parsed by icalendar) to one event record: the field mapping and the times.

See ``docs/calendar-import.md`` for the mapping table.  Problems that make the event
unusable raise :class:`SkipEvent`; everything repaired is appended to ``notes``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrulestr

from ...datadir.build.fields import link_error
from ...datadir.serialize import time_text
from ...model import DateOrDateTime, Visibility
from .zones import _in_utc, _local, _zone_name, _zoned, sortable

NO_TITLE = "(no title)"


_STATUS = {"CONFIRMED": None, "TENTATIVE": "tentative", "CANCELLED": "cancelled"}


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


_SLUG_JUNK = re.compile(r"[^a-z0-9._-]+")


class SkipEvent(Exception):  # noqa: N818 - a control-flow signal, not an error to report upwards
    """Raised inside the conversion of one event: it cannot be imported, for this reason."""


def event_id(actor: str, uid: str, recurrence_id: DateOrDateTime | None = None) -> str:
    """A stable id for the event ``uid`` (one occurrence of it, with ``recurrence_id``) of
    ``actor``, valid as a record id.

    A UID that is already a short lower-case slug is used as it is; any other gets a readable
    prefix and a hash of the full UID, because slugging alone would merge UIDs that differ
    only in case or punctuation.

    >>> event_id("caritas", "sprachcafe-1")
    'caritas-sprachcafe-1'
    >>> event_id("caritas", "040000008200E00074C5B7101A82E008")
    'caritas-040000008200e00074c5b7101a82e008-1f9af35b6b'
    >>> event_id("caritas", "sprachcafe-1", datetime(2026, 3, 10, 18, 0))
    'caritas-sprachcafe-1-r20260310t1800'
    """
    slug = _SLUG_JUNK.sub("-", uid.lower()).strip("-._")
    if slug != uid or len(slug) > 40 or not slug:
        digest = hashlib.sha256(uid.encode("utf-8")).hexdigest()[:10]
        slug = f"{slug[:32].strip('-._')}-{digest}" if slug[:32].strip("-._") else digest
    ident = f"{actor}-{slug}"
    if recurrence_id is not None:
        stamp = (recurrence_id.strftime("%Y%m%dt%H%M") if isinstance(recurrence_id, datetime)
                 else recurrence_id.strftime("%Y%m%d"))
        ident += f"-r{stamp}"
    return ident


def one(event: Any, name: str, notes: list[str]) -> Any:
    """The value of property ``name``; the first one, with a note, if it occurs several times."""
    value = event.get(name)
    if isinstance(value, list):
        if len(value) > 1:
            notes.append(f"{name} given {len(value)} times: the first is used")
        value = value[0] if value else None
    return value


#: icalendar 7 keeps an unparsable value as ``vBroken`` instead of failing the component.
_BROKEN: Any = getattr(icalendar.prop, "vBroken", ())


def _broken(value: Any) -> bool:
    return isinstance(value, _BROKEN)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    cleaned = _CONTROL.sub("", str(value)).strip()
    return cleaned or None


def convert(event: Any, actor: str, tz: ZoneInfo, visibility: Visibility,
             notes: list[str]) -> dict[str, Any]:
    uid = _text(one(event, "UID", notes))
    title = _text(one(event, "SUMMARY", notes))
    start_prop = one(event, "DTSTART", notes)
    if start_prop is None:
        raise SkipEvent("no DTSTART: an event needs a start")
    if _broken(start_prop):
        raise SkipEvent(f"DTSTART cannot be read: {start_prop!s}")
    raw_start = _zoned(start_prop.dt, start_prop.params, notes, "DTSTART")
    if not isinstance(raw_start, date):
        raise SkipEvent(f"DTSTART is not a date or a date and time: {start_prop.to_ical()!r}")
    if _in_utc(raw_start) and (event.get("RRULE") is not None or event.get("RDATE") is not None
                               ) and event.get("RECURRENCE-ID") is None:
        # RFC 5545 3.3.5, 3.8.5.3: a series recurs in DTSTART's zone, and UTC has no daylight
        # saving; in the network's wall-clock time it would move by an hour in summer.
        tz = UTC  # type: ignore[assignment]  # times of this series stay aware UTC
    start = _local(raw_start, tz)
    record: dict[str, Any] = {}
    if not title:
        notes.append(f"no SUMMARY: titled {NO_TITLE!r}")
    record["title"] = title or NO_TITLE
    if description := _text(one(event, "DESCRIPTION", notes)):
        record["description"] = description
    record["organisers"] = [actor]
    record["start"] = time_text(start)
    if (end := _end(event, raw_start, start, tz, notes)) is not None:
        record["end"] = time_text(end)
    record.update(_recurrence(event, start, tz, notes))
    record.update(_place(event, notes))
    status = str(one(event, "STATUS", notes) or "CONFIRMED").strip().upper()
    if status not in _STATUS:
        notes.append(f"STATUS {status!r} is not one of an event's; taken as CONFIRMED")
    elif _STATUS[status]:
        record["status"] = _STATUS[status]
    record.update(_visibility(event, visibility, notes))
    if uid:
        record["uid"] = uid
    else:
        notes.append("no UID: the id is made from start and title, and a re-import matches "
                     "by start and title")
    recurrence_id = _recurrence_id(event, start, tz, notes)
    if recurrence_id is not None:
        record["recurrence_id"] = time_text(recurrence_id[0])
        if recurrence_id[1]:
            record["this_and_future"] = True
    key = uid or f"no-uid:{record['start']}:{record['title']}"
    record = {"id": event_id(actor, key, recurrence_id[0] if recurrence_id else None), **record}
    record.update(_extra(event, raw_start, tz, notes))
    overrides = _period_overrides(record, actor, start, end, notes)
    overrides += _more_rules(record, actor, start=start, end=end, tz=tz, notes=notes)
    if overrides:
        record[PERIOD_OVERRIDES] = overrides
    return record


#: the key under which :func:`convert` hands the reader the overrides made of RDATE periods
PERIOD_OVERRIDES = "_period_overrides"


def _end(event: Any, raw_start: date, start: DateOrDateTime, tz: ZoneInfo,
         notes: list[str]) -> DateOrDateTime | None:
    end_prop = one(event, "DTEND", notes)
    duration = one(event, "DURATION", notes)
    raw_end: Any = None
    if end_prop is not None and not _broken(end_prop):
        raw_end = _zoned(end_prop.dt, end_prop.params, notes, "DTEND")
    elif duration is not None and not _broken(duration) and isinstance(duration.dt, timedelta):
        raw_end = _plus(raw_start, duration.dt)
    elif end_prop is not None or duration is not None:
        notes.append("DTEND/DURATION cannot be read: imported without an end")
        return None
    if raw_end is None:
        return None
    if not isinstance(raw_end, date) or isinstance(raw_end, datetime) != isinstance(
            raw_start, datetime):
        notes.append("DTEND is not of the same type as DTSTART: imported without an end")
        return None
    end = _local(raw_end, tz)
    if sortable(end) <= sortable(start):
        if end != start:
            notes.append(f"the end {time_text(end)} is before the start: imported without an end")
        return None
    return end


def _plus(start: date, duration: timedelta) -> date:
    """``start`` + ``duration`` as RFC 5545 means it: days on the calendar (wall-clock), hours
    and less as elapsed time — so PT2H across the end of summer time is two real hours.

    >>> berlin = ZoneInfo("Europe/Berlin")
    >>> _plus(datetime(2026, 10, 25, 1, 30, tzinfo=berlin), timedelta(hours=2)).isoformat()
    '2026-10-25T02:30:00+01:00'
    """
    if not isinstance(start, datetime) or start.tzinfo is None:
        return start + duration
    wall = start + timedelta(days=duration.days)
    exact = timedelta(seconds=duration.seconds, microseconds=duration.microseconds)
    return (wall.astimezone(UTC) + exact).astimezone(start.tzinfo)


def _recurrence(event: Any, start: DateOrDateTime, tz: ZoneInfo,
                notes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    rules = event.get("RRULE")
    rules = rules if isinstance(rules, list) else [rules] if rules is not None else []
    if rules:
        rule = rules[0]
        if _broken(rule):
            raise SkipEvent(f"RRULE cannot be read: {rule!s}")
        if len(rules) > 1:
            out[_MORE_RULES] = [r for r in rules[1:] if not _broken(r)]
        parts = dict(rule)
        until = parts.pop("UNTIL", None)
        local_until: DateOrDateTime | None = None
        if until:
            value = until[0]
            if isinstance(value, datetime) and value.tzinfo is None and isinstance(
                    start, datetime) and _is_zoned(event):
                value = value.replace(tzinfo=ZoneInfo("UTC"))  # RFC 5545: UNTIL is UTC then
            if not isinstance(start, datetime) and isinstance(value, datetime):
                # An all-day series bounded by a date-time (Google: 20260630T235959Z, Outlook:
                # the UTC instant of the next local midnight): the days that begin by then.
                # Read in the network's zone, 23:59:59Z would already be the next day.
                local_until = (value.astimezone(UTC) if value.tzinfo else value).date()
            else:
                local_until = _same_kind_as_until(_local(value, tz), start)
        if "COUNT" in parts:
            parts, local_until = _count(parts, local_until, start, notes)
        recur: Any = icalendar.vRecur(parts)
        text = recur.to_ical().decode()
        if not parts and not until:
            notes.append("empty RRULE ignored: a single event")
        elif "FREQ=" not in text.upper():
            raise SkipEvent(f"RRULE without FREQ: {rule.to_ical().decode()!r}")
        elif local_until is not None and sortable(local_until) < sortable(start):
            # RFC 5545: DTSTART is always the first occurrence, even when UNTIL is earlier.
            notes.append(f"UNTIL {time_text(local_until)} is before DTSTART: the series has "
                         "only its first occurrence")
        else:
            out["rrule"] = text
            if local_until is not None:
                out["until"] = time_text(local_until)
    floating = isinstance(start, datetime) and not _is_zoned(event)
    periods: list[tuple[DateOrDateTime, DateOrDateTime]] = []
    for name, key in (("EXDATE", "exdates"), ("RDATE", "rdates")):
        values = _date_list(event, name, start, tz, notes, floating=floating,
                            periods=periods if name == "RDATE" else None)
        if values:
            out[key] = [time_text(v) for v in values]
    if periods:
        out[_PERIODS] = periods
    return out


#: where :func:`_recurrence` leaves the RRULEs after the first for :func:`_more_rules`
_MORE_RULES = "_more_rules"


def _more_rules(record: dict[str, Any], actor: str, *, start: DateOrDateTime,
                end: DateOrDateTime | None, tz: ZoneInfo,
                notes: list[str]) -> list[dict[str, Any]]:
    """A series of its own for each RRULE after the first (RFC 5545 3.8.5.3: the recurrence
    set is the union of all rules).

    The data format has one rule per record, so the series is split: the extra record has
    the same UID, title and details, the rule's first occurrence after DTSTART as its start
    (DTSTART belongs to the first record), COUNT turned into the UNTIL it reaches from the
    original DTSTART, and the same EXDATEs.  Occurrences two rules share appear twice.
    """
    rules = record.pop(_MORE_RULES, None)
    if not rules or "recurrence_id" in record:
        return []
    found: list[dict[str, Any]] = []
    first = sortable(start).replace(tzinfo=None)
    length = sortable(end) - sortable(start) if end is not None else None
    for number, rule in enumerate(rules, start=2):
        text = rule.to_ical().decode()
        parts = dict(rule)
        until = parts.pop("UNTIL", None)
        try:
            limit: Any = None
            if until:
                value = until[0]
                if isinstance(value, datetime) and value.tzinfo is not None:
                    value = _local(value, tz)
                    value = value.replace(tzinfo=None) if isinstance(value, datetime) else value
                limit = sortable(value).replace(tzinfo=None)
            parsed = rrulestr(_rule_text(parts), dtstart=first,
                              ignoretz=True)
            if limit is not None:
                parsed = parsed.replace(until=limit)  # type: ignore[union-attr]
            following = parsed.after(first)
            bounded = "COUNT" in parts or limit is not None
            last = None
            if bounded:
                every = list(parsed)
                last = every[-1] if every else None
        except (ValueError, TypeError, OverflowError):
            notes.append(f"RRULE {text!r} (rule {number}) cannot be read: left out")
            continue
        if following is None:
            continue
        parts.pop("COUNT", None)
        shift = following - first
        new_start: DateOrDateTime = start + shift if isinstance(start, datetime) else \
            start + timedelta(days=shift.days)
        extra = {key: value for key, value in record.items()
                 if key not in ("id", "start", "end", "rrule", "until", "rdates")}
        extra["start"] = time_text(new_start)
        if length is not None:
            extra["end"] = time_text(new_start + length)
        extra["rrule"] = _rule_text(parts)
        if last is not None:
            kept: DateOrDateTime = last if isinstance(start, datetime) else last.date()
            if isinstance(start, datetime) and start.tzinfo is not None:
                kept = last.replace(tzinfo=start.tzinfo)
            extra["until"] = time_text(kept)
        ident = record["id"] + f"-rule{number}"
        found.append({"id": ident, **extra})
        notes.append(f"RRULE {number} ({text}) imported as a series of its own, {ident}: "
                     "the data format has one rule per series")
    return found


#: ends the UIDs the import makes up for events without one that need it
NO_UID_SUFFIX = "@no-uid.ki-network.invalid"


#: where :func:`_recurrence` leaves the RDATE periods for :func:`_period_overrides`
_PERIODS = "_periods"


def _period_overrides(record: dict[str, Any], actor: str, start: DateOrDateTime,
                      end: DateOrDateTime | None, notes: list[str]) -> list[dict[str, Any]]:
    """An override for each ``RDATE;VALUE=PERIOD`` whose length is not the series' own.

    RFC 5545 3.8.5.2 and 3.3.9: a period gives its occurrence its own end.  The data format's
    ``rdates`` are starts, so such an occurrence is kept as an override record (same UID,
    ``recurrence_id`` = the period's start) with the period's end.
    """
    periods = record.pop(_PERIODS, None)
    uid = record.get("uid")
    if not periods or not isinstance(start, datetime) or "recurrence_id" in record:
        return []
    length = sortable(end) - sortable(start) if end is not None else timedelta(0)
    found = []
    for first, last in periods:
        if not isinstance(first, datetime) or not isinstance(last, datetime) or \
                last - first == length:
            continue
        if last <= first:
            notes.append(f"RDATE period {time_text(first)}/{time_text(last)}: ends before it "
                         "starts; the occurrence takes the series' duration")
            continue
        if not uid:
            uid = record["uid"] = f"{record['id']}{NO_UID_SUFFIX}"
            notes.append(f"no UID, but an RDATE period needs one to tie its end to the "
                         f"series: UID {uid} made up (stable across imports)")
        override = {key: value for key, value in record.items()
                    if key not in ("id", "start", "end", "rrule", "until", "exdates", "rdates",
                                   "tzid")}
        override.update(start=time_text(first), end=time_text(last),
                        recurrence_id=time_text(first))
        found.append({"id": event_id(actor, uid, first), **override})
        notes.append(f"RDATE period {time_text(first)}/{time_text(last)}: its own end is kept "
                     "as an override of that occurrence")
    return found


def _count(parts: dict[str, Any], until: DateOrDateTime | None, start: DateOrDateTime,
           notes: list[str]) -> tuple[dict[str, Any], DateOrDateTime | None]:
    """COUNT repaired: RFC 5545 3.3.10 allows COUNT or UNTIL, never both.

    A COUNT that is not a positive number (``COUNT=-1`` is seen in the wild) is dropped.  With
    UNTIL too, the series ends at whichever comes first — as the sender's own client showed
    it — and that end is kept as UNTIL, so that no reader repeats the series forever.
    """
    raw = parts.pop("COUNT")
    text = str(raw[0] if isinstance(raw, list) and raw else raw)
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count <= 0:
        notes.append(f"RRULE COUNT={text} is not a positive number: dropped"
                     + (", UNTIL bounds the series" if until is not None else
                        " (the series has no other end)"))
        return parts, until
    if until is None:
        parts["COUNT"] = [count]
        return parts, None
    rule_text = _rule_text(parts)
    first = sortable(start).replace(tzinfo=None)
    try:
        last = list(rrulestr(f"{rule_text};COUNT={count}", dtstart=first, ignoretz=True))[-1]
    except (ValueError, TypeError, IndexError):
        last = None
    if last is not None and last < _naive(sortable(until)):
        kept: DateOrDateTime = last if isinstance(start, datetime) else last.date()
        if isinstance(start, datetime) and start.tzinfo is not None:
            kept = last.replace(tzinfo=start.tzinfo)
        notes.append(f"RRULE has COUNT={count} and UNTIL (RFC 5545: one or the other): "
                     f"COUNT ends it first, so UNTIL is now {time_text(kept)}")
        return parts, kept
    notes.append(f"RRULE has COUNT={count} and UNTIL (RFC 5545: one or the other): UNTIL ends "
                 "it first; COUNT dropped")
    return parts, until


def _rule_text(parts: Mapping[str, Any]) -> str:
    recur: Any = icalendar.vRecur(parts)
    return str(recur.to_ical().decode())


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _same_kind_as_until(value: DateOrDateTime, start: DateOrDateTime) -> DateOrDateTime:
    # A date-only UNTIL with a timed start (Google) means "through that day": kept as a date.
    if not isinstance(start, datetime) and isinstance(value, datetime):
        return value.date()
    return value


def _is_zoned(event: Any) -> bool:
    start = event.get("DTSTART")
    return bool(start is not None and getattr(start.dt, "tzinfo", None) is not None)


def _date_list(event: Any, name: str, start: DateOrDateTime, tz: ZoneInfo,
               notes: list[str], *, floating: bool = False,
               periods: list[tuple[DateOrDateTime, DateOrDateTime]] | None = None
               ) -> list[DateOrDateTime]:
    """The values of ``name`` in the start's kind.

    On a floating series, a UTC value names the occurrence with the same digits: the
    occurrences of a floating series have no instant to compare a UTC time with, and read in
    the network's zone it would miss the occurrence it was meant to remove (or add).
    """
    lists = event.get(name)
    lists = lists if isinstance(lists, list) else [lists] if lists is not None else []
    values: list[DateOrDateTime] = []
    for entry in lists:
        if _broken(entry):
            notes.append(f"{name} cannot be read and is left out: {entry!s}")
            continue
        for item in entry.dts:
            value = item.dt
            period_end: Any = None
            if isinstance(value, tuple):  # a PERIOD: its start is the occurrence
                value, period_end = value[0], value[1]
                if isinstance(period_end, timedelta) and isinstance(value, date):
                    period_end = _plus(value, period_end)
            if not isinstance(value, date):
                notes.append(f"{name} value {value!r} is not a date: left out")
                continue
            value = _zoned(value, entry.params, notes, name)
            if floating and _in_utc(value):
                value = value.replace(tzinfo=None)
                if f"{name} in UTC on a floating series" not in " ".join(notes):
                    notes.append(f"{name} in UTC on a floating series: read with its digits as "
                                 "local time, so that it names the occurrence it was meant for")
            local = _local(value, tz)
            if isinstance(start, datetime) and not isinstance(local, datetime):
                local = datetime.combine(local, start.time())
            elif not isinstance(start, datetime) and isinstance(local, datetime):
                local = local.date()
            if local not in values:
                values.append(local)
                if periods is not None and isinstance(period_end, datetime) and \
                        isinstance(local, datetime):
                    zoned_end = _zoned(period_end, entry.params, notes, name)
                    periods.append((local, _local(zoned_end, tz)))
    return sorted(values, key=sortable)


def _recurrence_id(event: Any, start: DateOrDateTime, tz: ZoneInfo,
                   notes: list[str]) -> tuple[DateOrDateTime, bool] | None:
    prop = one(event, "RECURRENCE-ID", notes)
    if prop is None:
        return None
    if _broken(prop) or not isinstance(prop.dt, date):
        raise SkipEvent(f"RECURRENCE-ID cannot be read: {prop!s}")
    value = _local(_zoned(prop.dt, prop.params, notes, "RECURRENCE-ID"), tz)
    if isinstance(start, datetime) and not isinstance(value, datetime):
        value = datetime.combine(value, start.time())
    elif not isinstance(start, datetime) and isinstance(value, datetime):
        value = value.date()
    this_and_future = str(prop.params.get("RANGE", "")).upper() == "THISANDFUTURE"
    return value, this_and_future


def _place(event: Any, notes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if location := _text(one(event, "LOCATION", notes)):
        out["location"] = location
    geo = one(event, "GEO", notes)
    if geo is not None:
        try:
            lat, lon = float(geo.latitude), float(geo.longitude)
        except (AttributeError, TypeError, ValueError):  # icalendar's broken values are ValueErrors
            notes.append(f"GEO cannot be read and is left out: {geo!s}")
        else:
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                out["geo"] = {"lat": lat, "lon": lon}
            else:
                notes.append(f"GEO {lat};{lon} is not on Earth and is left out")
    if url := _text(one(event, "URL", notes)):
        # a bad link loses the link, not the event (feeds write relative paths, too)
        problem = link_error(url)
        if problem is None:
            out["url"] = url
        else:
            notes.append(f"URL {url!r} {problem}: left out")
    return out


def _visibility(event: Any, default: Visibility, notes: list[str]) -> dict[str, Any]:
    klass = str(one(event, "CLASS", notes) or "PUBLIC").strip().upper()
    if klass == "PUBLIC":
        visibility = default
    else:
        # RFC 5545: an unknown class is to be treated as PRIVATE.
        if klass not in ("PRIVATE", "CONFIDENTIAL"):
            notes.append(f"CLASS {klass!r} is unknown: treated as PRIVATE")
        visibility = Visibility.INTERNAL
    return {} if visibility is Visibility.PUBLIC else {"visibility": visibility.value}


def _extra(event: Any, raw_start: date, tz: ZoneInfo, notes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    categories: list[str] = []
    entries = event.get("CATEGORIES")
    for entry in entries if isinstance(entries, list) else [entries] if entries else []:
        for value in getattr(entry, "cats", None) or [entry]:
            text = _text(value)
            if text and text not in categories:
                categories.append(text)
    if categories:
        out["categories"] = categories
    sequence = event.get("SEQUENCE")
    try:
        number = int(sequence[0] if isinstance(sequence, list) else sequence)
    except (TypeError, ValueError, IndexError):
        number = 0
    if number > 0:
        out["sequence"] = number  # so that the joint calendar's subscribers can order updates
    if str(one(event, "TRANSP", notes) or "").strip().upper() == "TRANSPARENT":
        out["transp"] = "transparent"  # what occurrences and the export read
    zone = getattr(raw_start, "tzinfo", None)
    name = _zone_name(zone)
    if name and name not in (getattr(tz, "key", "UTC"), "UTC") and event.get("RRULE") is not None:
        # The series repeats at the network's wall-clock time; where the source zone's
        # daylight saving differs, its zone is kept so that it can be told.
        out["tzid"] = name
    return out
