"""Integreat events as event records of a data directory, one multilingual record per event.

An event and its translations share ``event.id``; the record's id is ``<actor>-<event.id>``,
so a re-import finds it again.  Times:

* ``event.start``/``event.end`` carry an offset; they become wall-clock times in the event's
  ``timezone`` (default: the network's), and then in the network's zone;
* 00:00–23:59 (or ``all_day``) is an all-day event: dates, the end exclusive;
* ``recurrence_rule`` is ``DTSTART:…\\nRRULE:…`` without a TZID.  Integreat writes the
  DTSTART in UTC wall-clock time (``str()`` of a dateutil rule made from the stored, UTC,
  start) but the BYDAY in local days, as the editor chose them; so the rule is repeated at
  the event's *local* start (a Monday 07:00 course stays at 07:00 after the change to summer
  time, and a Monday 00:30 group stays on Mondays).  ``UNTIL`` becomes ``until`` (inclusive,
  a date).

The content's HTML becomes plain text (:func:`~ki_network_integreat.text.html_to_text`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from dateutil.rrule import rrulestr

from ki_network import Origin
from ki_network.calendar import ImportedFeed
from ki_network.datadir.yamlio import Record

from .api import RegionData
from .text import html_to_text

_SLUG = re.compile(r"[^a-z0-9._-]+")


@attrs.frozen
class Skip:
    """An event that was not imported, and why."""

    key: str
    title: str
    reason: str

    def __str__(self) -> str:
        return f"event {self.key} ({self.title!r}): skipped: {self.reason}"


@attrs.define
class Converted:
    """The feed for the merge, and what happened on the way."""

    feed: ImportedFeed
    skipped: list[Skip] = attrs.field(factory=list)
    notes: list[str] = attrs.field(factory=list)
    translations: int = 0
    #: locations of the region that no event uses (ki-network keeps places on events only)
    unused_locations: list[str] = attrs.field(factory=list)


def slug(text: str) -> str:
    """A lower-case slug of ``text`` (a hash where nothing is left)."""
    value = _SLUG.sub("-", text.lower()).strip("-._")
    return value or hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _zone(name: Any, default: ZoneInfo) -> ZoneInfo:
    if isinstance(name, str) and name:
        try:
            return ZoneInfo(name)
        except (ValueError, KeyError, OSError):
            return default
    return default


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` as a naive wall-clock time in ``zone`` (naive input is taken as such)."""
    return moment.astimezone(zone).replace(tzinfo=None) if moment.tzinfo else moment


def _text(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes" if not value.second else "seconds")
    return value.isoformat()


def _rule(text: Any, start: datetime, zone: ZoneInfo, notes: list[str], where: str
          ) -> tuple[str | None, date | None]:
    """RRULE (without UNTIL) and the inclusive until-date from Integreat's rule text."""
    if not isinstance(text, str) or not text.strip():
        return None, None
    dtstart: datetime | None = None
    rule: str | None = None
    for line in text.replace("\\n", "\n").splitlines():
        name, _, value = line.strip().partition(":")
        if name.upper().startswith("DTSTART"):
            try:
                dtstart = datetime.strptime(value.strip()[:15], "%Y%m%dT%H%M%S")
            except ValueError:
                notes.append(f"{where}: DTSTART {value!r} cannot be read; the start is used")
        elif name.upper() == "RRULE":
            rule = value.strip()
        elif "=" in line and rule is None and line.upper().startswith("FREQ="):
            rule = line.strip()
    if not rule:
        return None, None
    parts = [p for p in rule.split(";") if p]
    until: date | None = None
    kept = []
    for part in parts:
        key, _, value = part.partition("=")
        if key.upper() == "UNTIL":
            try:
                until = datetime.strptime(value[:8], "%Y%m%d").date()
            except ValueError:
                notes.append(f"{where}: UNTIL {value!r} cannot be read; left out")
        else:
            kept.append(f"{key.upper()}={value.upper()}")
    local = _wall(start, zone)
    if dtstart is not None and start.tzinfo is not None:
        utc = start.astimezone(UTC).replace(tzinfo=None)
        if dtstart not in (utc, local):
            notes.append(f"{where}: the rule's DTSTART {dtstart:%Y-%m-%d %H:%M} is neither the "
                         "start in UTC nor in local time; the event's start is used")
    rule = ";".join(kept)
    try:
        rrulestr(rule, dtstart=local)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"recurrence rule {rule!r} cannot be read: {exc}") from exc
    return rule, until


def _location(event: Mapping[str, Any], places: Mapping[str, Mapping[str, Any]]
              ) -> tuple[str | None, dict[str, float] | None, str | None]:
    found = event.get("location")
    place: dict[str, Any] = dict(found) if isinstance(found, Mapping) else {}
    if place.get("id") is not None and str(place["id"]) in places:
        place = {**places[str(place["id"])], **{k: v for k, v in place.items() if v}}
    if not any(place.get(k) for k in ("name", "address", "town")):
        return None, None, None
    town = " ".join(str(place[k]) for k in ("postcode", "town") if place.get(k))
    text = ", ".join(str(p) for p in (place.get("name"), place.get("address"), town) if p)
    geo = None
    try:
        lat, lon = float(place["latitude"]), float(place["longitude"])
    except (KeyError, TypeError, ValueError):
        pass
    else:
        if -90 <= lat <= 90 and -180 <= lon <= 180 and (lat, lon) != (0, 0):
            geo = {"lat": lat, "lon": lon}
    return text, geo, str(place["id"]) if place.get("id") is not None else None


def _key(event: Mapping[str, Any]) -> str | None:
    inner = event.get("event")
    for value in ((inner or {}).get("id") if isinstance(inner, Mapping) else None,
                  event.get("id")):
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def convert(data: RegionData, *, actor: str, timezone: str,
            visibility: str = "public") -> Converted:
    """The event records of ``data``, organised by ``actor``, for
    :func:`ki_network.calendar.merge_into`."""
    network_zone = ZoneInfo(timezone)
    base = data.language
    by_language: dict[str, dict[str, Mapping[str, Any]]] = {}
    for language, events in data.events.items():
        for event in events:
            key = _key(event)
            if key is not None:
                by_language.setdefault(key, {})[language] = event
    places = {str(p["id"]): p for p in data.locations if p.get("id") is not None}
    used: set[str] = set()
    result = Converted(ImportedFeed(data.source, actor, (), (), (), 0))
    records = []
    count = 0
    for event in data.events.get(base, []):
        count += 1
        key = _key(event)
        title = str(event.get("title") or "").strip()
        if key is None:
            result.skipped.append(Skip("?", title, "no id"))
            continue
        where = f"event {key}"
        translations = dict(by_language.get(key, {}))
        try:
            record = _record(key, translations, base, actor=actor, region=data.region,
                             zone=network_zone, places=places, notes=result.notes,
                             where=where, used=used)
        except ValueError as exc:
            result.skipped.append(Skip(key, title, str(exc)))
            continue
        except Exception as exc:  # an odd value must not take the import down
            result.skipped.append(Skip(key, title, f"cannot be read: {type(exc).__name__}: "
                                                   f"{exc}"))
            continue
        if visibility != "public":
            record["visibility"] = visibility
        result.translations += len(translations) - 1
        records.append(record)
    for language, events in data.events.items():
        if language == base:
            continue
        for event in events:
            key = _key(event)
            if key is not None and base not in by_language.get(key, {}):
                result.notes.append(f"event {key} ({language}): no {base} version; its "
                                    f"translation is not imported on its own")
    result.unused_locations = sorted(set(places) - used)
    result.feed = ImportedFeed(data.source, actor,
                               tuple(Record(r, origin=Origin(data.source, n))
                                     for n, r in enumerate(records, 1)), (), (), count)
    return result


def _record(key: str, translations: Mapping[str, Mapping[str, Any]], base: str, *,
            actor: str, region: str, zone: ZoneInfo, places: Mapping[str, Mapping[str, Any]],
            notes: list[str], where: str, used: set[str]) -> dict[str, Any]:
    event = translations[base]
    inner = event.get("event") if isinstance(event.get("event"), Mapping) else {}
    assert isinstance(inner, Mapping)  # noqa: S101 - for the type checker
    event_zone = _zone(inner.get("timezone"), zone)
    start, end = _moment(inner.get("start")), _moment(inner.get("end"))
    if start is None:
        raise ValueError("no readable start: an event needs one")
    local_start = _wall(start, event_zone)
    local_end = _wall(end, event_zone) if end is not None else None
    if local_end is not None and local_end < local_start:
        notes.append(f"{where}: the end is before the start; left out")
        local_end = None
    record: dict[str, Any] = {"id": f"{slug(actor)}-{slug(key)}"}
    titles = {code: str(e.get("title") or "").strip() for code, e in translations.items()}
    titles = {code: text for code, text in titles.items() if text}
    record["title"] = titles or {base: f"(no title: event {key})"}
    descriptions = {}
    for code, item in translations.items():
        text = html_to_text(str(item.get("content") or "")) or \
            html_to_text(str(item.get("excerpt") or ""))
        meeting = item.get("meeting_url")
        if isinstance(meeting, str) and meeting.startswith(("http://", "https://")):
            text = f"{text}\n\nOnline: {meeting}".strip()
        if text:
            descriptions[code] = text
    if descriptions:
        record["description"] = descriptions
    record["organisers"] = [actor]
    all_day = bool(inner.get("all_day")) or (
        local_end is not None and local_start.time().isoformat() == "00:00:00"
        and local_end.time().hour == 23 and local_end.time().minute == 59)
    rule, until = _rule(event.get("recurrence_rule"), start, event_zone, notes, where)
    if rule and inner.get("only_weekdays") and rule.startswith("FREQ=DAILY") \
            and "BYDAY=" not in rule:
        rule += ";BYDAY=MO,TU,WE,TH,FR"
    first: date | datetime
    last: date | datetime | None
    if all_day:
        first = local_start.date()
        last = (local_end.date() if local_end is not None else first) + timedelta(days=1)
    else:
        first = local_start
        last = local_end
        if event_zone.key != zone.key:
            first = local_start.replace(tzinfo=event_zone).astimezone(zone).replace(tzinfo=None)
            if local_end is not None:
                last = local_end.replace(tzinfo=event_zone).astimezone(zone).replace(
                    tzinfo=None)
            if rule:
                record["tzid"] = event_zone.key  # a series from another zone: keep its zone
    record["start"] = _text(first)
    if last is not None and last != first:
        record["end"] = _text(last)
    if rule:
        record["rrule"] = rule
        if until is not None:
            record["until"] = until.isoformat()
    place, geo, place_id = _location(event, places)
    if place:
        record["location"] = place
    if geo:
        record["geo"] = geo
    if place_id is not None:
        used.add(place_id)
    url = event.get("url")
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        record["url"] = url
    record["uid"] = f"{key}@{region}.integreat-app.de"
    return record


def region_actor(actor: str, data: RegionData) -> dict[str, Any]:
    """The actor record for a region whose actor is not in the network yet."""
    return {"id": actor, "name": f"Integreat {data.region.replace('-', ' ').title()}",
            "kind": "other",
            "contact": {"website": f"{data.base_url}/{data.region}"},
            "description": {"de": f"Veranstaltungen aus Integreat ({data.region})",
                            "en": f"Events from Integreat ({data.region})"}}


def languages_of(data: RegionData) -> Sequence[str]:
    return sorted(data.events)
