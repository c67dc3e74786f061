"""Offers as Open Referral HSDS 3.0 *services*, losing nothing on the way back.

Each offer becomes one ``service`` with its providing ``organization``, ``schedules`` (the
RRULE split into HSDS's fields), ``languages``, ``phones``, ``contacts``, ``service_areas``
(the municipality), one ``service_at_location`` (the place), ``attributes`` (topic and
target groups as taxonomy terms) and ``program``.

Two extension fields carry what HSDS cannot express, so that ``ki-network import hsds``
gives the network back:

* ``x_ki_network`` on services, organisations and schedules: our id, translations,
  partners, the validity period, visibility, exception and extra dates, unknown fields;
* ``x_tzid`` on schedules: the IANA time zone (``Europe/Berlin``).  HSDS's own ``timezone``
  is a number of hours, right for either winter or summer, never both.

HSDS fields that an import found no counterpart for are kept on our objects under
``extra["hsds"]`` and laid back under the mapped values here, so an imported directory
exports with its cost options, fees, accessibility notes … intact.

HSDS identifiers are UUIDs.  An object keeps the UUID it was imported with; ours get
``uuid5(namespace, kind + slug)``, so the same offer keeps its HSDS id across exports.

>>> from ki_network.testing import tiny_network
>>> service = ServiceBuilder(tiny_network()).service(tiny_network().offers["cafe-gm"])
>>> service["name"], service["schedules"][0]["byday"], service["schedules"][0]["x_tzid"]
('Sprachcafé', 'TU', 'Europe/Berlin')
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs

from ..datadir.yamlio import atomic_write
from ..model import Actor, Contact, Offer, Schedule

if TYPE_CHECKING:
    from .. import Network

#: Key of our objects' ``extra`` under which HSDS fields without a counterpart are kept.
KEPT = "hsds"
#: Extension field of HSDS objects for what HSDS cannot express.
EXTENSION = "x_ki_network"
#: Extension field of HSDS schedules: the IANA time zone of ``opens_at``/``closes_at``.
TZID = "x_tzid"
#: Taxonomies of the attributes we write.
TOPIC_TAXONOMY = "ki-network-topics"
TARGET_GROUP_TAXONOMY = "ki-network-target-groups"

_RRULE_FIELDS = {"FREQ": "freq", "INTERVAL": "interval", "BYDAY": "byday", "WKST": "wkst",
                 "COUNT": "count", "BYMONTHDAY": "bymonthday", "BYWEEKNO": "byweekno",
                 "BYYEARDAY": "byyearday"}
HSDS_FREQUENCIES = frozenset({"WEEKLY", "MONTHLY"})
_NUMBERS = frozenset({"interval", "count"})


def hsds_id(network: Network, kind: str, ident: str) -> str:
    """The stable UUID of one of our objects in HSDS."""
    namespace = uuid.uuid5(uuid.NAMESPACE_DNS, network.config.id_namespace)
    return uuid5(namespace, f"{kind}:{ident}")


def uuid5(namespace: uuid.UUID, name: str) -> str:
    """``str(uuid.uuid5(namespace, name))``, three times as fast (an export makes ten ids per
    offer).

    >>> ns = uuid.NAMESPACE_DNS
    >>> uuid5(ns, "offer:x") == str(uuid.uuid5(ns, "offer:x"))
    True
    """
    digest = bytearray(hashlib.sha1(namespace.bytes + name.encode("utf-8"),
                                    usedforsecurity=False).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    x = digest.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def is_uuid(value: Any) -> bool:
    """True for a UUID in its canonical text form (what HSDS 3.0 requires of ids)."""
    if not isinstance(value, str):
        return False
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def overlay(kept: Any, mapped: Any) -> Any:
    """``mapped`` laid over ``kept``: mappings merged key by key, lists item by item (the
    mapped list decides the length), anything else as mapped."""
    if isinstance(kept, dict) and isinstance(mapped, dict):
        out = dict(kept)
        for key, value in mapped.items():
            out[key] = overlay(kept[key], value) if key in kept else value
        return out
    if isinstance(kept, list | tuple) and isinstance(mapped, list | tuple):
        merged = [overlay(kept[i], m) if i < len(kept) else m for i, m in enumerate(mapped)]
        return merged + list(kept[len(mapped):])
    return mapped


def uuidify(obj: Any, namespace: uuid.UUID) -> Any:
    """Every ``id`` and ``…_id`` that is not a UUID made one (the same text gives the same
    UUID, so references still meet): HSDS 3.0 requires UUIDs, imported data often has
    numbers.  Extension fields (``x_…``) are left as they are: they hold our own ids."""
    if isinstance(obj, Mapping):
        out = {}
        for key, value in obj.items():
            if key.startswith("x_"):
                out[key] = value
            elif (key == "id" or key.endswith("_id")) and isinstance(value, str | int) \
                    and not isinstance(value, bool) and not is_uuid(value):
                out[key] = uuid5(namespace, f"hsds:{value}")
            else:
                out[key] = uuidify(value, namespace)
        return out
    if isinstance(obj, list | tuple):
        return [uuidify(v, namespace) for v in obj]
    return obj


def _kept(extra: Mapping[str, Any]) -> dict[str, Any]:
    value = extra.get(KEPT)
    return dict(value) if isinstance(value, Mapping) else {}


def _first(kept: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = kept.get(key)
    if isinstance(value, list | tuple) and value and isinstance(value[0], Mapping):
        return dict(value[0])
    return dict(value) if isinstance(value, Mapping) else {}


def _day(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def _json_value(value: Any) -> Any:
    if isinstance(value, dict | Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes" if not value.second else "seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _clean(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if v not in (None, [], "", {})}


def utc_offset_hours(moment: datetime) -> float | int:
    """The UTC offset of an aware ``moment`` in hours, as HSDS's ``timezone`` wants it."""
    offset = moment.utcoffset() or timedelta(0)
    hours = offset.total_seconds() / 3600
    return int(hours) if hours.is_integer() else hours


class ServiceBuilder:
    """Builds HSDS 3.0 service objects from a network's offers."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.lang = network.config.language
        self.namespace = uuid.uuid5(uuid.NAMESPACE_DNS, network.config.id_namespace)
        self._organizations: dict[str, dict[str, Any]] = {}

    def id(self, kind: str, ident: str, kept: Mapping[str, Any] | None = None) -> str:
        """The kept UUID of an imported object (made one if it is not), else our uuid5."""
        if kept and is_uuid(kept.get("id")):
            return str(kept["id"])
        if kept and kept.get("id") not in (None, ""):
            return uuid5(self.namespace, f"hsds:{kept['id']}")
        return uuid5(self.namespace, f"{kind}:{ident}")

    # -- organisation ------------------------------------------------------------------------

    def organization(self, actor: Actor) -> dict[str, Any]:
        """The organization object of ``actor`` (made once; treat it as read-only)."""
        found = self._organizations.get(actor.id)
        if found is None or found[EXTENSION].get("id") != actor.id:
            found = self._organizations[actor.id] = self._organization(actor)
        return found

    def _organization(self, actor: Actor) -> dict[str, Any]:
        kept = _kept(actor.extra)
        description = actor.description.get(self.lang) if actor.description else None
        if description is None:
            description = kept.get("description") or \
                f"{actor.name} ({actor.kind.value.replace('_', ' ')})"
        extension = _clean({
            "id": actor.id, "kind": actor.kind.value,
            "description": actor.description.as_dict()
            if actor.description and not actor.description.is_plain else None,
            "municipalities": list(actor.municipalities), "address": actor.address,
            "languages": list(actor.languages), "topics": list(actor.topics),
            "contact": _json_value(attrs.asdict(actor.contact, filter=_not_empty))
            if not actor.contact.is_empty() or actor.contact.extra else None,
            "visibility": None if actor.visibility.value == "public" else actor.visibility.value,
            "calendar": actor.calendar,
            "geo": {"lat": actor.geo.lat, "lon": actor.geo.lon} if actor.geo else None,
            "extra": _json_value({k: v for k, v in actor.extra.items() if k != KEPT}),
        })
        mapped = _clean({
            "id": self.id("actor", actor.id, kept), "name": actor.name,
            "description": description, "email": actor.contact.email,
            "website": actor.contact.website, EXTENSION: extension})
        return overlay(kept, mapped)  # type: ignore[no-any-return]

    # -- schedules ---------------------------------------------------------------------------

    def schedule(self, offer: Offer, service_id: str, index: int, entry: Schedule,
                 kept: Mapping[str, Any]) -> dict[str, Any]:
        tz = self.network.config.tz
        result: dict[str, Any] = {
            "id": self.id("schedule", f"{offer.id}#{index}", kept),
            "service_id": service_id,
            "dtstart": _day(entry.start),
            "valid_from": _day(offer.valid_from), "valid_to": _day(offer.valid_to),
            "until": _day(entry.until),
        }
        if isinstance(entry.start, datetime):
            start = entry.start if entry.start.tzinfo else entry.start.replace(tzinfo=tz)
            result["opens_at"] = start.isoformat(timespec="minutes")[11:]
            result["timezone"] = utc_offset_hours(start)
            if not entry.start.tzinfo:
                result[TZID] = self.network.config.timezone
            if isinstance(entry.end, datetime):
                end = entry.end if entry.end.tzinfo else entry.end.replace(tzinfo=tz)
                result["closes_at"] = end.isoformat(timespec="minutes")[11:]
        parts = dict(part.split("=", 1) for part in (entry.rrule or "").split(";") if "=" in part)
        notes = []
        extension: dict[str, Any] = {}
        if parts.get("FREQ") in HSDS_FREQUENCIES and parts.keys() <= {*_RRULE_FIELDS, "UNTIL"}:
            for key, field in _RRULE_FIELDS.items():
                if key in parts:
                    value = parts[key]
                    result[field] = int(value) if field in _NUMBERS else value
            if "UNTIL" in parts:
                until = parts["UNTIL"]
                result["until"] = f"{until[:4]}-{until[4:6]}-{until[6:8]}"
                extension["until"] = until
        elif entry.rrule:
            notes.append(f"RRULE:{entry.rrule}")  # HSDS knows weekly and monthly only
            extension["rrule"] = entry.rrule
        if entry.exdates:
            notes.append("not on " + ", ".join(_day(d) or "" for d in entry.exdates))
            extension["exdates"] = _json_value(entry.exdates)
        if entry.rdates:
            notes.append("also on " + ", ".join(_day(d) or "" for d in entry.rdates))
            extension["rdates"] = _json_value(entry.rdates)
        extension["start"] = _json_value(entry.start)
        if entry.end is not None:
            extension["end"] = _json_value(entry.end)
        if entry.until is not None:
            extension["until"] = _json_value(entry.until)
        others = {k: v for k, v in entry.extra.items() if k != KEPT}
        if others:
            extension["extra"] = _json_value(others)
        if notes and not kept.get("notes"):
            result["notes"] = "; ".join(notes)
        if not kept.get("description"):
            result["description"] = offer.title.get(self.lang)
        result[EXTENSION] = extension
        return overlay(kept, _clean(result))  # type: ignore[no-any-return]

    # -- the service -------------------------------------------------------------------------

    def contact_parts(self, owner: str, service_id: str, contact: Contact,
                      kept: Mapping[str, Any]) -> dict[str, Any]:
        parts: dict[str, Any] = {}
        if contact.phone:
            phone = _first(kept, "phones")
            parts["phones"] = [{"id": self.id("phone", owner, phone), "service_id": service_id,
                                "number": contact.phone}]
        if contact.person or contact.email:
            person = _first(kept, "contacts")
            parts["contacts"] = [_clean({"id": self.id("contact", owner, person),
                                         "service_id": service_id, "name": contact.person,
                                         "email": contact.email})]
        return parts

    def service(self, offer: Offer) -> dict[str, Any]:
        network = self.network
        lang = self.lang
        kept = _kept(offer.extra)
        provider = network.actors[offer.provider]
        service_id = self.id("offer", offer.id, kept)
        alternate = kept.get("alternate_name") or " / ".join(
            t for code, t in offer.title.values if code != lang) or None
        kept_schedules = [s if isinstance(s, Mapping) else {} for s in kept.get("schedules", [])]
        status = kept.get("status") or (
            "active" if not offer.valid_to or offer.valid_to >= date.today() else "inactive")
        service: dict[str, Any] = {
            "id": service_id,
            "organization_id": self.id("actor", provider.id, _kept(provider.extra)),
            "name": offer.title.get(lang), "alternate_name": alternate,
            "description": offer.description.get(lang) if offer.description else None,
            "url": offer.url, "email": offer.contact.email, "status": status,
            "organization": self.organization(provider),
            "languages": [{"id": self.id("language", f"{offer.id}:{code}",
                                         _nth(kept, "languages", i)),
                           "service_id": service_id, "code": code}
                          for i, code in enumerate(offer.languages)],
            "schedules": [self.schedule(offer, service_id, i, s,
                                        kept_schedules[i] if i < len(kept_schedules) else {})
                          for i, s in enumerate(offer.schedule)],
            **self.contact_parts(offer.id, service_id, offer.contact, kept),
        }
        if offer.municipality:
            area = _first(kept, "service_areas")
            service["service_areas"] = [{
                "id": self.id("area", f"{offer.id}:{offer.municipality}", area),
                "service_id": service_id, "name": network.municipality_name(offer.municipality),
                "extent_type": "text", "extent": f"AGS {offer.municipality}"}]
        if offer.location or offer.geo:
            at = _first(kept, "service_at_locations")
            found = at.get("location")
            place: dict[str, Any] = dict(found) if isinstance(found, Mapping) else {}
            name = offer.location
            if name and place.get("name") and name.startswith(str(place["name"])):
                name = str(place["name"])  # the import added the address to the name
            location: dict[str, Any] = {
                "id": self.id("location", offer.location or offer.id, place),
                "location_type": "physical", "name": name}
            if offer.geo:
                location.update(latitude=offer.geo.lat, longitude=offer.geo.lon)
            service["service_at_locations"] = [_clean({
                "id": self.id("service_at_location", offer.id, at), "service_id": service_id,
                "location_id": location["id"], "location": _clean(location)})]
        service["attributes"] = self.attributes(offer, service_id, kept)
        if offer.programme:
            program = kept.get("program") if isinstance(kept.get("program"), Mapping) else {}
            service["program_id"] = self.id("program", f"{provider.id}:{offer.programme}",
                                            program)
            service["program"] = {
                "id": service["program_id"], "organization_id": service["organization_id"],
                "name": offer.programme,
                "description": (program or {}).get("description") or offer.programme}
        service[EXTENSION] = _clean({
            "id": offer.id,
            "title": offer.title.as_dict() if not offer.title.is_plain else None,
            "description": offer.description.as_dict()
            if offer.description and not offer.description.is_plain else None,
            # partners are organisations HSDS has no place for: whole, so that they come back
            "partners": [self.organization(network.actors[p]) if p in network.actors else p
                         for p in offer.partners],
            "valid_from": _day(offer.valid_from), "valid_to": _day(offer.valid_to),
            "visibility": None if offer.visibility.value == "public" else offer.visibility.value,
            "contact": _json_value(attrs.asdict(offer.contact, filter=_not_empty))
            if offer.contact.website or offer.contact.visibility or offer.contact.extra
            else None,
            "extra": _json_value({k: v for k, v in offer.extra.items() if k != KEPT}),
        })
        if kept:  # mapped values have UUIDs already; kept ones may not
            kept = uuidify(kept, self.namespace)
        return overlay(kept, _clean(service))  # type: ignore[no-any-return]

    def attributes(self, offer: Offer, service_id: str,
                   kept: Mapping[str, Any]) -> list[dict[str, Any]]:
        network, lang = self.network, self.lang
        found: list[dict[str, Any]] = []
        terms: list[tuple[str, str, str, str]] = []
        if offer.topic:
            topic = network.topics.get(offer.topic)
            label = topic.label if topic else None
            terms.append((TOPIC_TAXONOMY, offer.topic, label.get(lang) if label else offer.topic,
                          label.get("en") if label else offer.topic))
        for group in offer.target_groups:
            known = network.target_groups.get(group)
            terms.append((TARGET_GROUP_TAXONOMY, group,
                          known.label.get(lang) if known else group,
                          known.label.get("en") if known else group))
        for taxonomy, code, name, description in terms:
            found.append({
                "id": self.id("attribute", f"{offer.id}:{taxonomy}:{code}"),
                "link_id": service_id, "link_type": taxonomy, "link_entity": "service",
                "taxonomy_term_id": self.id("term", f"{taxonomy}:{code}"),
                "taxonomy_term": {"id": self.id("term", f"{taxonomy}:{code}"), "code": code,
                                  "name": name, "description": description,
                                  "taxonomy": taxonomy}})
        # attributes an import kept (terms that mapped to nothing) come after ours
        others = [a for a in kept.get("attributes", []) if isinstance(a, Mapping)
                  and not _ours(a)]
        return found + [dict(a) for a in others]


def _ours(attribute: Mapping[str, Any]) -> bool:
    term = attribute.get("taxonomy_term")
    taxonomy = term.get("taxonomy") if isinstance(term, Mapping) else None
    return taxonomy in (TOPIC_TAXONOMY, TARGET_GROUP_TAXONOMY)


def _nth(kept: Mapping[str, Any], key: str, index: int) -> dict[str, Any]:
    value = kept.get(key)
    if isinstance(value, list | tuple) and index < len(value) and isinstance(value[index], Mapping):
        return dict(value[index])
    return {}


def _not_empty(attribute: attrs.Attribute[Any], value: Any) -> bool:
    return value not in (None, {}, "")


def services(network: Network) -> list[dict[str, Any]]:
    """The HSDS service objects of all offers of ``network``."""
    builder = ServiceBuilder(network)
    return [builder.service(offer) for offer in network.offers.values()]


def zone_of(schedule: Mapping[str, Any], default: str) -> ZoneInfo:
    """The zone an HSDS schedule's times are in: ``x_tzid`` if it names a known zone."""
    name = schedule.get(TZID)
    try:
        return ZoneInfo(name) if isinstance(name, str) and name else ZoneInfo(default)
    except (ValueError, KeyError, OSError):
        return ZoneInfo(default)


@attrs.frozen
class HsdsExporter:
    """``ki-network export DIR --to hsds``: an API page ``{"contents": [service, …]}``."""

    name: str = "hsds"
    suffix: str = ".json"
    description: str = "offers as Open Referral HSDS 3.0 services (an API page of services)"

    def export(self, network: Network, path: Path, options: Mapping[str, Any]) -> None:
        contents = services(network)
        page = {"total_items": len(contents), "total_pages": 1, "page_number": 1,
                "size": len(contents), "first_page": True, "last_page": True,
                "empty": not contents, "contents": contents}
        with atomic_write(path) as handle:
            json.dump(page, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
