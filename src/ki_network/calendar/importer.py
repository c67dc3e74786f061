"""Partner ICS feeds to event records: lenient with what real clients write, and accountable.

:func:`read_ics` turns the bytes of an iCalendar file into event records (plain mappings with
the fields of ``events.yaml``) for one actor.  It never raises on a file: every ``VEVENT`` of
the file ends up either in :attr:`ImportedFeed.records` or in :attr:`ImportedFeed.skipped`
with the reason, and whatever was repaired on the way is listed in :attr:`ImportedFeed.notes`.

How it stays lenient without losing events:

* the text is decoded (byte-order mark, UTF-8, else Windows-1252), line endings normalised
  and folded lines joined; then the file is cut into its ``VEVENT`` and ``VTIMEZONE`` blocks
  by a small line scanner that tolerates what breaks whole-file parsers (a missing
  ``END:VCALENDAR``, stray lines between components, several ``VCALENDAR`` in one file);
* each block is parsed on its own with :mod:`icalendar`, so one broken event does not cost the
  others; the file's ``VTIMEZONE`` blocks are parsed first, so ``TZID`` references resolve;
* Google's ``X-WR-TIMEZONE`` is applied with :mod:`x_wr_timezone` (what
  recurring-ical-events uses); Windows zone names ("W. Europe Standard Time") are mapped by
  icalendar itself; Outlook display names ("(UTC+01:00) Amsterdam, Berlin, …") by their cities;
* every record is finally checked by the same builder that loads the data directory, so an
  import never writes a record that the next ``load`` rejects.

Times become wall-clock times in the network's time zone (as people write them in
``events.yaml``); ``UNTIL`` moves out of the rule into ``until`` (inclusive, a date for
Google's date-only ``UNTIL``).  Recurrence rules are not interpreted here: their text is kept
and checked with :mod:`dateutil`.

>>> feed = read_ics(b"BEGIN:VCALENDAR\\nBEGIN:VEVENT\\nUID:42@example.org\\n"
...                 b"DTSTART;TZID=Europe/Berlin:20260310T180000\\nDURATION:PT2H\\n"
...                 b"SUMMARY:Elternabend\\nEND:VEVENT\\nEND:VCALENDAR\\n", actor="caritas")
>>> record = feed.records[0]
>>> record["id"], record["start"], record["end"], record["organisers"]
('caritas-42-example.org-bd70ed74cf', '2026-03-10T18:00', '2026-03-10T20:00', ['caritas'])
>>> feed.vevents, len(feed.skipped)
(1, 0)
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import attrs
import icalendar
import x_wr_timezone  # type: ignore[import-untyped]

from ..build import ID_PATTERN, Builder
from ..config import NetworkConfig
from ..errors import Origin
from ..model import DateOrDateTime, Visibility
from ..records import RecordSet
from ..region import Region
from ..serialize import time_text
from ..yamlio import Record

#: Event fields an import writes and owns; a re-import compares and updates only these.
IMPORTED_FIELDS = (
    "title", "description", "organisers", "start", "end", "rrule", "until", "exdates",
    "rdates", "location", "geo", "url", "status", "visibility", "uid", "recurrence_id",
    "this_and_future", "categories", "transparent", "tzid",
)

#: Title given to an event without SUMMARY (free/busy exports have none); listed in the notes.
NO_TITLE = "(no title)"

_STATUS = {"CONFIRMED": None, "TENTATIVE": "tentative", "CANCELLED": "cancelled"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SLUG_JUNK = re.compile(r"[^a-z0-9._-]+")
_X_WR_TIMEZONE = re.compile(r"^X-WR-TIMEZONE(?:;[^:]*)?:(.+)$", re.IGNORECASE)
_OUTLOOK_DISPLAY = re.compile(r"^\(UTC[^)]*\)\s*(.+)$")


@attrs.frozen
class Skipped:
    """A ``VEVENT`` that was not imported: where it starts in the file, and why."""

    line: int
    uid: str | None
    summary: str | None
    reason: str

    def __str__(self) -> str:
        what = f"UID {self.uid}" if self.uid else "no UID"
        if self.summary:
            what += f", {self.summary!r}"
        return f"{self.line}: skipped VEVENT ({what}): {self.reason}"


@attrs.frozen
class Note:
    """Something repaired or assumed while importing (the event itself was imported)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.message}"


@attrs.frozen
class ImportedFeed:
    """The result of :func:`read_ics`.

    ``vevents`` is the number of ``VEVENT`` blocks found (lines ``BEGIN:VEVENT`` after
    unfolding); it always equals ``len(records) + len(skipped)``.
    """

    source: str
    actor: str
    records: tuple[Record, ...]
    skipped: tuple[Skipped, ...]
    notes: tuple[Note, ...]
    vevents: int


class _Skip(Exception):  # noqa: N818 - a control-flow signal, not an error to report upwards
    """Raised inside the conversion of one event: it cannot be imported, for this reason."""


# --------------------------------------------------------------------------------------------
# Ids
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Text to blocks
# --------------------------------------------------------------------------------------------


@attrs.define
class _Block:
    kind: str
    line: int
    section: int
    lines: list[str] = attrs.field(factory=list)
    stack: list[str] = attrs.field(factory=list)
    closed: bool = False


@attrs.define
class _Scan:
    blocks: list[_Block] = attrs.field(factory=list)
    #: X-WR-TIMEZONE by VCALENDAR section
    x_wr_timezone: dict[int, str] = attrs.field(factory=dict)
    notes: list[Note] = attrs.field(factory=list)


def decode(data: bytes | str) -> tuple[str, str | None]:
    """Text of a feed and, if it was not UTF-8, a note saying which encoding was assumed."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 (byte {exc.start})"
    try:
        return data.decode("cp1252"), f"{reason}: read as Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), f"{reason}: read as Latin-1"


def unfold(text: str) -> list[tuple[int, str]]:
    """Logical content lines with the number of the physical line each starts on.

    Accepts CRLF, LF and lone CR line ends and folding with a space or a tab.

    >>> unfold("BEGIN:VEVENT\\r\\nSUMMARY:Eltern\\r\\n abend\\nEND:VEVENT")
    [(1, 'BEGIN:VEVENT'), (2, 'SUMMARY:Elternabend'), (4, 'END:VEVENT')]
    """
    logical: list[tuple[int, str]] = []
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if line[:1] in (" ", "\t") and logical:
            first, previous = logical[-1]
            logical[-1] = (first, previous + line[1:])
        elif line.strip():
            logical.append((number, line))
    return logical


def _scan(lines: list[tuple[int, str]]) -> _Scan:
    """Cut the content lines into VEVENT and VTIMEZONE blocks, closing what was left open.

    Every line ``BEGIN:VEVENT`` starts a block of its own, even inside another event, so the
    blocks are exactly the VEVENTs a person counts in the file.
    """
    scan = _Scan()
    section = 0
    block: _Block | None = None

    def close(at: int, why: str) -> None:
        nonlocal block
        if block is None:
            return
        if not block.closed:
            scan.notes.append(Note(block.line, f"BEGIN:{block.kind} at line {block.line} is "
                                               f"not closed ({why} at line {at}); closed there"))
            block.lines.extend(f"END:{name}" for name in reversed(block.stack))
        block = None

    for number, line in lines:
        upper = line.strip().upper()
        if upper == "BEGIN:VCALENDAR":
            close(number, "BEGIN:VCALENDAR")
            section += 1
        elif upper == "END:VCALENDAR":
            close(number, "END:VCALENDAR")
        elif upper in ("BEGIN:VEVENT", "BEGIN:VTIMEZONE") and (
                block is None or upper == "BEGIN:VEVENT"):
            close(number, "a new BEGIN:VEVENT")
            block = _Block(upper[6:], number, section, [line.strip()], [upper[6:]])
            scan.blocks.append(block)
        elif block is not None:
            if upper.startswith("BEGIN:"):
                block.stack.append(upper[6:])
                block.lines.append(line.strip())
            elif upper.startswith("END:") and upper[4:] in block.stack:
                while block.stack and block.stack[-1] != upper[4:]:
                    block.lines.append(f"END:{block.stack.pop()}")
                block.stack.pop()
                block.lines.append(line.strip())
                if not block.stack:
                    block.closed = True
                    block = None
            elif upper.startswith("END:"):
                scan.notes.append(Note(number, f"stray {line.strip()!r} ignored"))
            else:
                block.lines.append(line)
        else:
            match = _X_WR_TIMEZONE.match(line.strip())
            if match:
                scan.x_wr_timezone[section] = match.group(1).strip()
    if lines:
        close(lines[-1][0], "the end of the file")
    return scan


# --------------------------------------------------------------------------------------------
# The feed
# --------------------------------------------------------------------------------------------


def read_ics(data: bytes | str, *, actor: str, source: str = "<feed>",
             timezone: str = "Europe/Berlin",
             visibility: Visibility | str = Visibility.PUBLIC) -> ImportedFeed:
    """Read an iCalendar feed into event records organised by ``actor``.

    :param data: the file's bytes (or text).
    :param actor: the id of the actor whose calendar it is; the events' organiser.
    :param source: a name for the feed in records' origins and messages (path or URL).
    :param timezone: the network's time zone; times are converted to it.
    :param visibility: the visibility of events without ``CLASS:PRIVATE``/``CONFIDENTIAL``
        (usually the actor's own).
    """
    tz = ZoneInfo(timezone)
    default_visibility = Visibility(visibility)
    notes: list[Note] = []
    text, encoding_note = decode(data)
    if encoding_note:
        notes.append(Note(0, encoding_note))
    scan = _scan(unfold(text))
    notes.extend(scan.notes)
    for block in scan.blocks:
        if block.kind == "VTIMEZONE":
            notes.extend(_register_timezone(block))

    candidates: list[tuple[_Block, Record, tuple[int, str]]] = []
    skipped: list[Skipped] = []
    for block in scan.blocks:
        if block.kind != "VEVENT":
            continue
        block_notes: list[str] = []
        try:
            record, rank = _read_block(block, scan.x_wr_timezone.get(block.section), actor,
                                       tz=tz, visibility=default_visibility, notes=block_notes)
        except _Skip as exc:
            skipped.append(Skipped(block.line, *_identity(block), str(exc)))
        except Exception as exc:  # a file must never take the import down
            skipped.append(Skipped(block.line, *_identity(block),
                                   f"cannot be read: {type(exc).__name__}: {exc}"))
        else:
            candidates.append((block, Record(record, origin=Origin(source, block.line)), rank))
        notes.extend(Note(block.line, message) for message in block_notes)

    records, duplicates = _unique(candidates)
    skipped.extend(duplicates)
    records, invalid = _validated(records, actor, timezone)
    skipped.extend(invalid)
    return ImportedFeed(source, actor, tuple(records),
                        tuple(sorted(skipped, key=lambda s: s.line)),
                        tuple(sorted(notes, key=lambda n: n.line)),
                        sum(1 for b in scan.blocks if b.kind == "VEVENT"))


def _identity(block: _Block) -> tuple[str | None, str | None]:
    """UID and SUMMARY of a block, read from its raw lines (for reports on broken events)."""
    found: dict[str, str] = {}
    depth = 0
    for line in block.lines:
        upper = line.upper()
        if upper.startswith("BEGIN:"):
            depth += 1
        elif upper.startswith("END:"):
            depth -= 1
        elif depth == 1:
            name, _, value = line.partition(":")
            key = name.split(";", 1)[0].upper()
            if key in ("UID", "SUMMARY") and key not in found and value.strip():
                found[key] = value.strip()
    return found.get("UID"), found.get("SUMMARY")


def _register_timezone(block: _Block) -> list[Note]:
    """Parse a VTIMEZONE so that icalendar resolves the TZIDs that refer to it."""
    text = "\r\n".join(["BEGIN:VCALENDAR", *block.lines, "END:VCALENDAR", ""])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            icalendar.Calendar.from_ical(text)
        except Exception as exc:  # reported; events then fall back to local time
            return [Note(block.line, f"VTIMEZONE cannot be read ({type(exc).__name__}: {exc}); "
                                     "times referring to it are taken as local time")]
    return [Note(block.line, str(w.message)) for w in caught]


def _read_block(block: _Block, wr_timezone: str | None, actor: str, *, tz: ZoneInfo,
                visibility: Visibility, notes: list[str]
                ) -> tuple[dict[str, Any], tuple[int, str]]:
    header = ["BEGIN:VCALENDAR", "VERSION:2.0"]
    if wr_timezone:
        header.append(f"X-WR-TIMEZONE:{wr_timezone}")
    text = "\r\n".join([*header, *block.lines, "END:VCALENDAR", ""])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            calendar = icalendar.Calendar.from_ical(text)
        except ValueError as exc:
            raise _Skip(f"cannot be parsed: {exc}") from exc
        events = calendar.walk("VEVENT")
        if len(events) != 1:
            raise _Skip("cannot be parsed")
        if wr_timezone:
            try:
                calendar = x_wr_timezone.to_standard(calendar)
                events = calendar.walk("VEVENT")
            except Exception as exc:  # the library chokes on broken values
                notes.append(f"X-WR-TIMEZONE {wr_timezone!r} not applied "
                             f"({type(exc).__name__}: {exc})")
        event = events[0]
        for name, error in event.errors:
            notes.append(f"{name or 'a line'} cannot be read: {error}")
        record = _convert(event, actor, tz, visibility, notes)
    notes.extend(str(w.message) for w in caught)
    sequence = _one(event, "SEQUENCE", notes)
    stamp = _one(event, "LAST-MODIFIED", notes) or _one(event, "DTSTAMP", notes)
    try:
        rank = (int(sequence) if sequence is not None else 0, str(getattr(stamp, "dt", "")))
    except (TypeError, ValueError, AttributeError):
        rank = (0, "")
    return record, rank


# --------------------------------------------------------------------------------------------
# One event
# --------------------------------------------------------------------------------------------


def _one(event: Any, name: str, notes: list[str]) -> Any:
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


def _convert(event: Any, actor: str, tz: ZoneInfo, visibility: Visibility,
             notes: list[str]) -> dict[str, Any]:
    uid = _text(_one(event, "UID", notes))
    title = _text(_one(event, "SUMMARY", notes))
    start_prop = _one(event, "DTSTART", notes)
    if start_prop is None:
        raise _Skip("no DTSTART: an event needs a start")
    if _broken(start_prop):
        raise _Skip(f"DTSTART cannot be read: {start_prop!s}")
    raw_start = _zoned(start_prop.dt, start_prop.params, notes, "DTSTART")
    if not isinstance(raw_start, date):
        raise _Skip(f"DTSTART is not a date or a date and time: {start_prop.to_ical()!r}")
    start = _local(raw_start, tz)
    record: dict[str, Any] = {}
    if not title:
        notes.append(f"no SUMMARY: titled {NO_TITLE!r}")
    record["title"] = title or NO_TITLE
    if description := _text(_one(event, "DESCRIPTION", notes)):
        record["description"] = description
    record["organisers"] = [actor]
    record["start"] = time_text(start)
    if (end := _end(event, raw_start, start, tz, notes)) is not None:
        record["end"] = time_text(end)
    record.update(_recurrence(event, start, tz, notes))
    record.update(_place(event, notes))
    status = str(_one(event, "STATUS", notes) or "CONFIRMED").strip().upper()
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
    return record


def _end(event: Any, raw_start: date, start: DateOrDateTime, tz: ZoneInfo,
         notes: list[str]) -> DateOrDateTime | None:
    end_prop = _one(event, "DTEND", notes)
    duration = _one(event, "DURATION", notes)
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
    if _sortable(end) <= _sortable(start):
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
            raise _Skip(f"RRULE cannot be read: {rule!s}")
        if len(rules) > 1:
            dropped = "; ".join(r.to_ical().decode() for r in rules[1:] if not _broken(r))
            notes.append(f"{len(rules)} RRULEs: only the first is imported (dropped: {dropped})")
        parts = dict(rule)
        until = parts.pop("UNTIL", None)
        local_until: DateOrDateTime | None = None
        if until:
            value = until[0]
            if isinstance(value, datetime) and value.tzinfo is None and isinstance(
                    start, datetime) and _is_zoned(event):
                value = value.replace(tzinfo=ZoneInfo("UTC"))  # RFC 5545: UNTIL is UTC then
            local_until = _same_kind_as_until(_local(value, tz), start)
        recur: Any = icalendar.vRecur(parts)
        text = recur.to_ical().decode()
        if not parts and not until:
            notes.append("empty RRULE ignored: a single event")
        elif "FREQ=" not in text.upper():
            raise _Skip(f"RRULE without FREQ: {rule.to_ical().decode()!r}")
        elif local_until is not None and _sortable(local_until) < _sortable(start):
            # RFC 5545: DTSTART is always the first occurrence, even when UNTIL is earlier.
            notes.append(f"UNTIL {time_text(local_until)} is before DTSTART: the series has "
                         "only its first occurrence")
        else:
            out["rrule"] = text
            if local_until is not None:
                out["until"] = time_text(local_until)
    for name, key in (("EXDATE", "exdates"), ("RDATE", "rdates")):
        values = _date_list(event, name, start, tz, notes)
        if values:
            out[key] = [time_text(v) for v in values]
    return out


def _same_kind_as_until(value: DateOrDateTime, start: DateOrDateTime) -> DateOrDateTime:
    # A date-only UNTIL with a timed start (Google) means "through that day": kept as a date.
    if not isinstance(start, datetime) and isinstance(value, datetime):
        return value.date()
    return value


def _is_zoned(event: Any) -> bool:
    start = event.get("DTSTART")
    return bool(start is not None and getattr(start.dt, "tzinfo", None) is not None)


def _date_list(event: Any, name: str, start: DateOrDateTime, tz: ZoneInfo,
               notes: list[str]) -> list[DateOrDateTime]:
    lists = event.get(name)
    lists = lists if isinstance(lists, list) else [lists] if lists is not None else []
    values: list[DateOrDateTime] = []
    for entry in lists:
        if _broken(entry):
            notes.append(f"{name} cannot be read and is left out: {entry!s}")
            continue
        for item in entry.dts:
            value = item.dt
            if isinstance(value, tuple):  # a PERIOD: its start is the occurrence
                value = value[0]
            if not isinstance(value, date):
                notes.append(f"{name} value {value!r} is not a date: left out")
                continue
            value = _zoned(value, entry.params, notes, name)
            local = _local(value, tz)
            if isinstance(start, datetime) and not isinstance(local, datetime):
                local = datetime.combine(local, start.time())
            elif not isinstance(start, datetime) and isinstance(local, datetime):
                local = local.date()
            if local not in values:
                values.append(local)
    return sorted(values, key=_sortable)


def _recurrence_id(event: Any, start: DateOrDateTime, tz: ZoneInfo,
                   notes: list[str]) -> tuple[DateOrDateTime, bool] | None:
    prop = _one(event, "RECURRENCE-ID", notes)
    if prop is None:
        return None
    if _broken(prop) or not isinstance(prop.dt, date):
        raise _Skip(f"RECURRENCE-ID cannot be read: {prop!s}")
    value = _local(_zoned(prop.dt, prop.params, notes, "RECURRENCE-ID"), tz)
    if isinstance(start, datetime) and not isinstance(value, datetime):
        value = datetime.combine(value, start.time())
    elif not isinstance(start, datetime) and isinstance(value, datetime):
        value = value.date()
    this_and_future = str(prop.params.get("RANGE", "")).upper() == "THISANDFUTURE"
    return value, this_and_future


def _place(event: Any, notes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if location := _text(_one(event, "LOCATION", notes)):
        out["location"] = location
    geo = _one(event, "GEO", notes)
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
    if url := _text(_one(event, "URL", notes)):
        out["url"] = url
    return out


def _visibility(event: Any, default: Visibility, notes: list[str]) -> dict[str, Any]:
    klass = str(_one(event, "CLASS", notes) or "PUBLIC").strip().upper()
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
    if str(_one(event, "TRANSP", notes) or "").strip().upper() == "TRANSPARENT":
        out["transparent"] = True
    zone = getattr(raw_start, "tzinfo", None)
    name = _zone_name(zone)
    if name and name not in (tz.key, "UTC") and event.get("RRULE") is not None:
        # The series repeats at the network's wall-clock time; where the source zone's
        # daylight saving differs, its zone is kept so that it can be told.
        out["tzid"] = name
    return out


# --------------------------------------------------------------------------------------------
# Times
# --------------------------------------------------------------------------------------------


def _zoned(value: Any, params: Mapping[str, Any], notes: list[str], name: str) -> Any:
    """``value`` with the zone its TZID names, where icalendar could not resolve the TZID."""
    tzid = params.get("TZID") if params else None
    if not tzid or not isinstance(value, datetime) or value.tzinfo is not None:
        return value
    zone = _guess_zone(str(tzid))
    if zone is None:
        notes.append(f"{name}: unknown time zone {tzid!r} and no VTIMEZONE for it: "
                     "taken as local time")
        return value
    notes.append(f"{name}: time zone {tzid!r} read as {zone.key}")
    return value.replace(tzinfo=zone)


@cache
def _zones_by_city() -> dict[str, str]:
    cities: dict[str, str] = {}
    for key in sorted(available_timezones()):
        if "/" in key and not key.startswith(("Etc/", "SystemV/", "US/")):
            cities.setdefault(key.rsplit("/", 1)[1].replace("_", " ").casefold(), key)
    return cities


def _guess_zone(tzid: str) -> ZoneInfo | None:
    """A zone for an Outlook display name like "(UTC+01:00) Amsterdam, Berlin, Bern, …".

    >>> _guess_zone("(UTC+01:00) Amsterdam, Berlin, Bern, Rom, Stockholm, Wien")
    zoneinfo.ZoneInfo(key='Europe/Amsterdam')
    """
    match = _OUTLOOK_DISPLAY.match(tzid.strip())
    if not match:
        return None
    cities = _zones_by_city()
    for city in re.split(r"[,;/]", match.group(1)):
        key = cities.get(city.strip().casefold())
        if key:
            return ZoneInfo(key)
    return None


def _zone_name(zone: tzinfo | None) -> str | None:
    if zone is None:
        return None
    key = getattr(zone, "key", None) or getattr(zone, "zone", None)
    return str(key) if key else None


def _local(value: date, tz: ZoneInfo) -> DateOrDateTime:
    """Wall-clock time in the network's zone: aware times converted, floating ones kept."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(tz).replace(tzinfo=None)
    return value


def _sortable(value: DateOrDateTime) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())


# --------------------------------------------------------------------------------------------
# Duplicates and validation
# --------------------------------------------------------------------------------------------


def _unique(candidates: Iterable[tuple[_Block, Record, tuple[int, str]]]
            ) -> tuple[list[Record], list[Skipped]]:
    """One record per id: of VEVENTs with the same UID and RECURRENCE-ID, the one with the
    highest SEQUENCE (then LAST-MODIFIED) wins; the others are reported."""
    best: dict[str, tuple[_Block, Record, tuple[int, str]]] = {}
    skipped: list[Skipped] = []
    for candidate in candidates:
        ident = candidate[1]["id"]
        kept = best.get(ident)
        if kept is None:
            best[ident] = candidate
            continue
        loser, winner = (kept, candidate) if candidate[2] > kept[2] else (candidate, kept)
        best[ident] = winner
        skipped.append(Skipped(loser[0].line, loser[1].get("uid"), loser[1].get("title"),
                               f"the VEVENT at line {winner[0].line} has the same UID and "
                               "RECURRENCE-ID and a higher or equal SEQUENCE; that one is "
                               "imported"))
    return [record for _, record, _ in best.values()], skipped


def _validated(records: list[Record], actor: str, timezone: str
               ) -> tuple[list[Record], list[Skipped]]:
    """Check the records with the data directory's own builder; drop (and report) the ones it
    would reject, so that an import never breaks the next load."""
    if not ID_PATTERN.match(actor):
        return [], [Skipped(r.origin.line, r.get("uid"), r.get("title"),
                            f"actor id {actor!r} is not a valid id") for r in records]
    recordset = RecordSet()
    recordset.add("actors", Record({"id": actor, "name": actor}, origin=Origin("<actor>")))
    for record in records:
        recordset.add("events", record)
    builder = Builder(NetworkConfig(timezone=timezone), Region(None, ()), (), (), {})
    _, problems = builder.build(recordset)
    reasons: dict[int, list[str]] = {}
    for problem in problems:
        reasons.setdefault(problem.origin.line, []).append(problem.message)
    good = [r for r in records if r.origin.line not in reasons]
    bad = [Skipped(r.origin.line, r.get("uid"), r.get("title"), "; ".join(reasons[r.origin.line]))
           for r in records if r.origin.line in reasons]
    return good, bad
