"""Model objects back to records: plain mappings with the same fields as the data files.

``load(save(network))`` gives equal objects.  Defaults and empty fields are left out, so
records stay as short as people write them; unknown fields (``extra``) come back unchanged.

>>> from ki_network.testing import tiny_network
>>> net = tiny_network()
>>> record = to_record(net.offers["cafe-gm"], net)
>>> record["title"], record["schedule"][0]["start"]
({'de': 'Sprachcafé', 'en': 'Language café'}, '2026-01-13T09:30')
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ..model import (
    Actor,
    Contact,
    DateOrDateTime,
    Decision,
    Event,
    EventStatus,
    GeoPoint,
    Offer,
    Relation,
    Schedule,
    Text,
    Visibility,
)

if TYPE_CHECKING:
    from ..network import Network

Record = dict[str, Any]


def plain(value: Any) -> Any:
    """Built-in containers only (no dict subclasses, no tuples), for any writer."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def time_text(value: DateOrDateTime) -> str | date:
    """Date-times as ISO text (minutes unless seconds are set); dates stay dates."""
    if isinstance(value, datetime):
        spec = "minutes" if value.second == 0 and value.microsecond == 0 else "auto"
        return value.isoformat(timespec=spec)
    return value


def _text(value: Text | None) -> str | dict[str, str] | None:
    if value is None:
        return None
    return value.values[0][1] if value.is_plain else value.as_dict()


def _contact(contact: Contact) -> Record | None:
    fields = {"email": contact.email, "phone": contact.phone, "website": contact.website,
              "person": contact.person,
              "visibility": contact.visibility.value if contact.visibility else None}
    record = {k: v for k, v in fields.items() if v is not None}
    record.update(plain(contact.extra))
    return record or None


def _geo(geo: GeoPoint | None) -> Record | None:
    return None if geo is None else {"lat": geo.lat, "lon": geo.lon}


def _schedule(schedule: Schedule) -> Record:
    record: Record = {"start": time_text(schedule.start)}
    if schedule.end is not None:
        record["end"] = time_text(schedule.end)
    if schedule.rrule:
        record["rrule"] = schedule.rrule
    if schedule.until is not None:
        record["until"] = time_text(schedule.until)
    if schedule.exdates:
        record["exdates"] = [time_text(d) for d in schedule.exdates]
    if schedule.rdates:
        record["rdates"] = [time_text(d) for d in schedule.rdates]
    record.update(plain(schedule.extra))
    return record


def _clean(record: Record, extra: Mapping[str, Any]) -> Record:
    out = {k: v for k, v in record.items() if v not in (None, [], (), "")}
    out.update(plain(extra))
    return out


def _visibility(value: Visibility) -> str | None:
    return None if value is Visibility.PUBLIC else value.value


#: Values a record may spell out or leave away with the same meaning.
DEFAULTS: dict[str, Any] = {"visibility": "public", "status": "confirmed"}


def to_record(obj: Actor | Offer | Event | Relation | Decision, network: Network) -> Record:
    """The record (plain mapping) for one model object, as it would stand in a data file."""
    names = network.municipality_name
    if isinstance(obj, Actor):
        return _clean({
            "id": obj.id, "name": obj.name, "kind": obj.kind.value,
            "municipalities": [names(a) for a in obj.municipalities], "address": obj.address,
            "languages": list(obj.languages), "topics": list(obj.topics),
            "contact": _contact(obj.contact), "visibility": _visibility(obj.visibility),
            "calendar": obj.calendar, "description": _text(obj.description),
            "geo": _geo(obj.geo)}, obj.extra)
    if isinstance(obj, Offer):
        return _clean({
            "id": obj.id, "title": _text(obj.title), "description": _text(obj.description),
            "provider": obj.provider, "partners": list(obj.partners), "topic": obj.topic,
            "target_groups": list(obj.target_groups), "languages": list(obj.languages),
            "municipality": names(obj.municipality), "location": obj.location,
            "geo": _geo(obj.geo), "programme": obj.programme,
            "contact": _contact(obj.contact), "url": obj.url,
            "schedule": [_schedule(s) for s in obj.schedule],
            "valid_from": obj.valid_from, "valid_to": obj.valid_to,
            "visibility": _visibility(obj.visibility)}, obj.extra)
    if isinstance(obj, Event):
        return _clean({
            "id": obj.id, "title": _text(obj.title), "description": _text(obj.description),
            "organisers": list(obj.organisers), "topic": obj.topic,
            "target_groups": list(obj.target_groups), "languages": list(obj.languages),
            "municipality": names(obj.municipality), "location": obj.location,
            "geo": _geo(obj.geo), "contact": _contact(obj.contact), "url": obj.url,
            **_schedule(obj.schedule),
            "status": None if obj.status is EventStatus.CONFIRMED else obj.status.value,
            "uid": obj.uid,
            "recurrence_id": time_text(obj.recurrence_id) if obj.recurrence_id else None,
            "this_and_future": True if obj.this_and_future else None,
            "visibility": _visibility(obj.visibility)}, obj.extra)
    if isinstance(obj, Relation):
        return _clean({
            "source": obj.source, "target": obj.target, "kind": obj.kind.value,
            "programme": obj.programme, "since": obj.since, "note": obj.note,
            "visibility": _visibility(obj.visibility)}, obj.extra)
    return _clean({"a": obj.a, "b": obj.b, "verdict": obj.verdict, "note": obj.note,
                   "by": obj.by, "on": obj.on}, obj.extra)


def records_of(network: Network, kind: str) -> list[Record]:
    """All records of ``kind`` (``actors``, ``offers``, ``events``, ``relations``,
    ``decisions``) in data order."""
    source: Any = {
        "actors": network.actors.values(), "offers": network.offers.values(),
        "events": network.events.values(), "relations": network.relations,
        "decisions": network.decisions}[kind]
    return [to_record(obj, network) for obj in source]


def record_key(kind: str, record: Mapping[str, Any]) -> str:
    """What identifies a record of ``kind`` when a file is updated in place."""
    if kind == "relations":
        return f"{record.get('source')}|{record.get('target')}|{record.get('kind')}"
    if kind == "decisions":
        return "|".join(sorted((str(record.get("a")), str(record.get("b")))))
    return str(record.get("id"))
