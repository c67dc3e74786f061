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
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import icalendar
import x_wr_timezone  # type: ignore[import-untyped]

from ...datadir.build import ID_PATTERN, Builder
from ...datadir.config import NetworkConfig
from ...datadir.records import RecordSet
from ...datadir.yamlio import Record
from ...errors import Origin, Problem
from ...model import Visibility
from ...region import Region
from .event import NO_TITLE, SkipEvent, convert, event_id, one
from .lines import Block, Note, decode, scan, unfold
from .zonerules import refused_zone, without_zones

__all__ = [
    "IMPORTED_FIELDS", "NO_TITLE", "ImportedFeed", "Note", "Skipped", "decode", "event_id",
    "read_ics", "unfold",
]

#: Event fields an import writes and owns; a re-import compares and updates only these.
IMPORTED_FIELDS = (
    "title", "description", "organisers", "start", "end", "rrule", "until", "exdates",
    "rdates", "location", "geo", "url", "status", "visibility", "uid", "recurrence_id",
    "this_and_future", "categories", "transp", "tzid",
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
    unfolding); it always equals ``len(records) + len(skipped)``.
    """

    source: str
    actor: str
    records: tuple[Record, ...]
    skipped: tuple[Skipped, ...]
    notes: tuple[Note, ...]
    vevents: int



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
    for block in found.blocks:
        if block.kind == "VTIMEZONE":
            notes.extend(_register_timezone(block))

    candidates: list[tuple[Block, Record, tuple[int, str]]] = []
    skipped: list[Skipped] = []
    for block in found.blocks:
        if block.kind != "VEVENT":
            continue
        block_notes: list[str] = []
        try:
            record, rank = _read_block(block, found.x_wr_timezone.get(block.section), actor,
                                       tz=tz, visibility=default_visibility, notes=block_notes)
        except SkipEvent as exc:
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
                        sum(1 for b in found.blocks if b.kind == "VEVENT"))


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


def _register_timezone(block: Block) -> list[Note]:
    """Parse a VTIMEZONE so that icalendar resolves the TZIDs that refer to it."""
    refused = refused_zone(block.lines)
    if refused:  # never handed to icalendar, which would expand the rule on every lookup
        return [Note(block.line, f"VTIMEZONE refused: {refused}; times referring to it are "
                                 "read as times of an unknown zone")]
    text = "\r\n".join(["BEGIN:VCALENDAR", *block.lines, "END:VCALENDAR", ""])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            icalendar.Calendar.from_ical(text)
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
        skipped.append(Skipped(loser[0].line, loser[1].get("uid"), loser[1].get("title"),
                               f"the VEVENT at line {winner[0].line} has the same UID and "
                               "RECURRENCE-ID and a higher or equal SEQUENCE; that one is "
                               "imported"))
    return [record for _, record, _ in best.values()], skipped


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
