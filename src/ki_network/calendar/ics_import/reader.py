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

import warnings
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import icalendar
import x_wr_timezone  # type: ignore[import-untyped]
from dateutil.rrule import rrulestr

from ...datadir.build import ID_PATTERN, Builder
from ...datadir.build.times import parse_time
from ...datadir.config import NetworkConfig
from ...datadir.records import RecordSet
from ...datadir.yamlio import Record
from ...errors import Origin, Problem
from ...model import Visibility
from ...region import Region
from .event import NO_TITLE, PERIOD_OVERRIDES, SkipEvent, convert, event_id, one
from .lines import Block, Note, decode, scan, unfold
from .zonerules import refused_zone, without_zones
from .zones import custom_zone, feed_zones

__all__ = [
    "IMPORTED_FIELDS", "NO_TITLE", "ImportedFeed", "Note", "Skipped", "decode", "event_id",
    "read_ics", "unfold",
]

#: Event fields an import writes and owns; a re-import compares and updates only these.
IMPORTED_FIELDS = (
    "title", "description", "organisers", "start", "end", "rrule", "until", "exdates",
    "rdates", "location", "geo", "url", "status", "visibility", "uid", "recurrence_id",
    "this_and_future", "categories", "transp", "tzid", "sequence",
)


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
class ImportedFeed:
    """The result of :func:`read_ics`.

    ``vevents`` is the number of ``VEVENT`` blocks found (lines ``BEGIN:VEVENT`` after
    unfolding); it always equals ``len(records) - derived + len(skipped)``, where ``derived``
    counts the override records made of ``RDATE;VALUE=PERIOD`` values (their own ends).
    """

    source: str
    actor: str
    records: tuple[Record, ...]
    skipped: tuple[Skipped, ...]
    notes: tuple[Note, ...]
    vevents: int
    derived: int = 0



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
    found = scan(unfold(text))
    notes.extend(found.notes)
    zones: dict[str, tuple[Any, str]] = {}
    for block in found.blocks:
        if block.kind == "VTIMEZONE":
            notes.extend(_register_timezone(block, tz, zones))

    candidates: list[tuple[Block, Record, tuple[int, str]]] = []
    skipped: list[Skipped] = []
    for block in found.blocks:
        if block.kind != "VEVENT":
            continue
        block_notes: list[str] = []
        try:
            with feed_zones(zones):
                record, rank = _read_block(block, found.x_wr_timezone.get(block.section),
                                           actor, tz=tz, visibility=default_visibility,
                                           notes=block_notes)
        except SkipEvent as exc:
            skipped.append(Skipped(block.line, *_identity(block), str(exc)))
        except Exception as exc:  # a file must never take the import down
            skipped.append(Skipped(block.line, *_identity(block),
                                   f"cannot be read: {type(exc).__name__}: {exc}"))
        else:
            made = record.pop(PERIOD_OVERRIDES, [])
            candidates.append((block, Record(record, origin=Origin(source, block.line)), rank))
            # an override the feed itself has for the same occurrence wins over these
            candidates.extend((block, Record(extra, origin=Origin(source, block.line)),
                               _DERIVED) for extra in made)
        block_uid = _identity(block)[0] if block_notes else None
        notes.extend(Note(block.line, message, block_uid) for message in block_notes)

    derived = {c[1]["id"] for c in candidates if c[2] == _DERIVED}
    records, duplicates = _unique(candidates)
    derived -= {c[1]["id"] for c in candidates if c[2] != _DERIVED}
    records, stale = _drop_stale(records, {c[1]["id"]: c[2] for c in candidates}, tz)
    skipped.extend(stale)
    skipped.extend(duplicates)
    records, invalid = _validated(records, actor, timezone)
    skipped.extend(invalid)
    return ImportedFeed(source, actor, tuple(records),
                        tuple(sorted(skipped, key=lambda s: s.line)),
                        tuple(sorted(notes, key=lambda n: n.line)),
                        sum(1 for b in found.blocks if b.kind == "VEVENT"),
                        sum(1 for r in records if r.get("id") in derived))


def _identity(block: Block) -> tuple[str | None, str | None]:
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


def _register_timezone(block: Block, tz: ZoneInfo,
                       zones: dict[str, tuple[Any, str]]) -> list[Note]:
    """Parse a VTIMEZONE so that icalendar resolves the TZIDs that refer to it; a zone with a
    TZID icalendar does not know goes into ``zones`` (this feed's own, see ``custom_zone``)."""
    refused = refused_zone(block.lines)
    if refused:  # never handed to icalendar, which would expand the rule on every lookup
        return [Note(block.line, f"VTIMEZONE refused: {refused}; times referring to it are "
                                 "read as times of an unknown zone")]
    text = "\r\n".join(["BEGIN:VCALENDAR", *block.lines, "END:VCALENDAR", ""])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            calendar = icalendar.Calendar.from_ical(text)
            for component in calendar.walk("VTIMEZONE"):
                found = custom_zone(component, tz)
                if found is not None:
                    zones.setdefault(str(component["TZID"]), found)
        except Exception as exc:  # reported; events then fall back to local time
            return [Note(block.line, f"VTIMEZONE cannot be read ({type(exc).__name__}: {exc}); "
                                     "times referring to it are taken as local time")]
    return [Note(block.line, str(w.message)) for w in caught]


def _read_block(block: Block, wr_timezone: str | None, actor: str, *, tz: ZoneInfo,
                visibility: Visibility, notes: list[str]
                ) -> tuple[dict[str, Any], tuple[int, str]]:
    header = ["BEGIN:VCALENDAR", "VERSION:2.0"]
    if wr_timezone:
        header.append(f"X-WR-TIMEZONE:{wr_timezone}")
    lines, nested_zone = without_zones(block.lines)
    if nested_zone:
        notes.append("a VTIMEZONE inside the VEVENT ignored")
    text = "\r\n".join([*header, *lines, "END:VCALENDAR", ""])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            calendar = icalendar.Calendar.from_ical(text)
        except ValueError as exc:
            raise SkipEvent(f"cannot be parsed: {exc}") from exc
        events = calendar.walk("VEVENT")
        if len(events) != 1:
            raise SkipEvent("cannot be parsed")
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
        record = convert(event, actor, tz, visibility, notes)
    notes.extend(str(w.message) for w in caught)
    sequence = one(event, "SEQUENCE", notes)
    stamp = one(event, "LAST-MODIFIED", notes) or one(event, "DTSTAMP", notes)
    try:
        rank = (int(sequence) if sequence is not None else 0, str(getattr(stamp, "dt", "")))
    except (TypeError, ValueError, AttributeError):
        rank = (0, "")
    return record, rank


# --------------------------------------------------------------------------------------------
# Duplicates and validation
# --------------------------------------------------------------------------------------------


#: the rank of records made by the reader (overrides of RDATE periods): lower than any VEVENT's
_DERIVED = (-1, "")


def _unique(candidates: Iterable[tuple[Block, Record, tuple[int, str]]]
            ) -> tuple[list[Record], list[Skipped]]:
    """One record per id: of VEVENTs with the same UID and RECURRENCE-ID, the one with the
    highest SEQUENCE (then LAST-MODIFIED) wins; the others are reported."""
    best: dict[str, tuple[Block, Record, tuple[int, str]]] = {}
    skipped: list[Skipped] = []
    for candidate in candidates:
        ident = candidate[1]["id"]
        kept = best.get(ident)
        if kept is None:
            best[ident] = candidate
            continue
        loser, winner = (kept, candidate) if candidate[2] > kept[2] else (candidate, kept)
        best[ident] = winner
        if loser[2] == _DERIVED:  # made of an RDATE period; the feed's own override wins
            continue
        skipped.append(Skipped(loser[0].line, loser[1].get("uid"), loser[1].get("title"),
                               f"the VEVENT at line {winner[0].line} has the same UID and "
                               "RECURRENCE-ID and a higher or equal SEQUENCE; that one is "
                               "imported"))
    return [record for _, record, _ in best.values()], skipped


def _drop_stale(records: list[Record], ranks: dict[str, tuple[int, str]], tz: ZoneInfo
                ) -> tuple[list[Record], list[Skipped]]:
    """Overrides left over from an earlier version of their series.

    RFC 5545 3.8.4.4 and 3.8.7.4: an override with a lower SEQUENCE than its series, naming a
    date the (re-issued) series no longer has, belongs to an older version of the series and
    is dropped; kept, it would come back as an extra occurrence.
    """
    masters = {r["uid"]: r for r in records if r.get("uid") and "recurrence_id" not in r}
    kept: list[Record] = []
    dropped: list[Skipped] = []
    for record in records:
        master = masters.get(record.get("uid")) if "recurrence_id" in record else None
        if master is None or ranks.get(record["id"], (0, ""))[0] >= \
                ranks.get(master["id"], (0, ""))[0] or _names_occurrence(master, record, tz):
            kept.append(record)
            continue
        dropped.append(Skipped(
            record.origin.line, record.get("uid"), record.get("title"),
            f"override of {record['recurrence_id']} has a lower SEQUENCE "
            f"({ranks[record['id']][0]}) than its series ({ranks[master['id']][0]}), whose "
            "current version has no such occurrence: a stale change, dropped "
            "(RFC 5545 3.8.7.4)"))
    return kept, dropped


def _names_occurrence(master: Record, override: Record, tz: ZoneInfo) -> bool:
    """True if ``override``'s recurrence id is an occurrence of ``master`` (or unsure)."""
    zone = tz
    if isinstance(master.get("tzid"), str):
        try:
            zone = ZoneInfo(master["tzid"])
        except (ValueError, KeyError):
            zone = tz

    def wall(value: Any) -> Any:
        parsed = parse_time(value)
        if isinstance(parsed, datetime):
            aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
            return aware.astimezone(zone).replace(tzinfo=None)
        return parsed

    start, rid = wall(master.get("start")), wall(override.get("recurrence_id"))
    if start is None or rid is None:
        return True
    if isinstance(start, datetime) != isinstance(rid, datetime):
        return True  # mixed kinds: left to the expansion, as before
    first = start if isinstance(start, datetime) else datetime.combine(start, time.min)
    moment = rid if isinstance(rid, datetime) else datetime.combine(rid, time.min)
    if moment == first or moment in {wall(r) if isinstance(rid, datetime) else parse_time(r)
                                     for r in master.get("rdates") or ()}:
        return True
    if not master.get("rrule"):
        return False
    try:
        rule = rrulestr(str(master["rrule"]), dtstart=first, ignoretz=True)
        until = wall(master["until"]) if master.get("until") is not None else None
        if isinstance(until, date) and not isinstance(until, datetime):
            until = datetime.combine(until, time.max if isinstance(rid, datetime) else time.min)
        if until is not None:
            rule = rule.replace(until=until)  # type: ignore[union-attr]
        found = moment in rule
    except (ValueError, TypeError, AttributeError):
        found = True  # a rule we cannot read here: the override stays
    return found


def _build_problems(records: list[Record], actor: str, timezone: str) -> list[Problem]:
    recordset = RecordSet()
    recordset.add("actors", Record({"id": actor, "name": actor}, origin=Origin("<actor>")))
    for record in records:
        recordset.add("events", record)
    builder = Builder(NetworkConfig(timezone=timezone), Region(None, ()), (), (), {})
    return builder.build(recordset)[1]


def _validated(records: list[Record], actor: str, timezone: str
               ) -> tuple[list[Record], list[Skipped]]:
    """Check the records with the data directory's own builder; drop (and report) the ones it
    would reject, so that an import never breaks the next load."""
    if not ID_PATTERN.match(actor):
        return [], [Skipped(r.origin.line, r.get("uid"), r.get("title"),
                            f"actor id {actor!r} is not a valid id") for r in records]
    try:
        problems = _build_problems(records, actor, timezone)
    except Exception:  # a value no builder check foresaw: find the culprit(s) one by one
        problems = []
        for record in records:
            try:
                problems += _build_problems([record], actor, timezone)
            except Exception as exc:  # reported as the record's skip reason
                problems.append(Problem(record.origin, f"cannot be checked: {exc!r}"))
    reasons: dict[int, list[str]] = {}
    for problem in problems:
        reasons.setdefault(problem.origin.line, []).append(problem.message)
    good = [r for r in records if r.origin.line not in reasons]
    bad = [Skipped(r.origin.line, r.get("uid"), r.get("title"), "; ".join(reasons[r.origin.line]))
           for r in records if r.origin.line in reasons]
    return good, bad
