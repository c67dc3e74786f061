"""HSDS 3.0 export: offers as Open Referral *services* with their organisation and schedules.

The Human Services Data Specification is what service directories and referral tools read.
Each public offer becomes one ``service`` object (an API-style ``{"contents": [...]}`` page)
with its providing ``organization``, ``schedules`` (RRULE fields split out as HSDS wants
them), ``languages``, ``phones``, ``contacts``, ``service_areas`` and one
``service_at_location`` when the offer has a place.

HSDS identifiers are UUIDs; ours are slugs.  ``uuid5(namespace, kind + slug)`` maps them
deterministically, so the same offer keeps its HSDS id across exports.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..datadir.yamlio import atomic_write
from ..model import Actor, Contact, Offer, Schedule
from ..plugin.manager import hookimpl

if TYPE_CHECKING:
    from ..network import Network
    from ..plugin.contracts import Exporter

_RRULE_FIELDS = {"FREQ": "freq", "INTERVAL": "interval", "BYDAY": "byday", "WKST": "wkst",
                 "COUNT": "count", "BYMONTHDAY": "bymonthday"}
_HSDS_FREQUENCIES = {"WEEKLY", "MONTHLY"}


def hsds_id(network: Network, kind: str, ident: str) -> str:
    """The stable UUID of one of our objects in HSDS."""
    namespace = uuid.uuid5(uuid.NAMESPACE_DNS, network.config.id_namespace)
    return str(uuid.uuid5(namespace, f"{kind}:{ident}"))


def _day(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def _clock(value: date | datetime | None, network: Network) -> str | None:
    if not isinstance(value, datetime):
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=network.config.tz)
    return aware.isoformat(timespec="minutes")[11:]  # "09:30+01:00"


class _Builder:
    def __init__(self, network: Network) -> None:
        self.network = network

    def id(self, kind: str, ident: str) -> str:
        return hsds_id(self.network, kind, ident)

    def organization(self, actor: Actor) -> dict[str, Any]:
        description = actor.description.get(self.network.config.language) if actor.description \
            else f"{actor.name} ({actor.kind.value.replace('_', ' ')})"
        org: dict[str, Any] = {"id": self.id("actor", actor.id), "name": actor.name,
                               "description": description}
        if actor.contact.email:
            org["email"] = actor.contact.email
        if actor.contact.website:
            org["website"] = actor.contact.website
        return org

    def schedule(self, offer: Offer, index: int, entry: Schedule) -> dict[str, Any]:
        result: dict[str, Any] = {
            "id": self.id("schedule", f"{offer.id}#{index}"),
            "service_id": self.id("offer", offer.id),
            "dtstart": _day(entry.start),
            "opens_at": _clock(entry.start, self.network),
            "closes_at": _clock(entry.end, self.network),
            "valid_from": _day(offer.valid_from), "valid_to": _day(offer.valid_to),
            "until": _day(entry.until),
        }
        parts = dict(part.split("=", 1) for part in (entry.rrule or "").split(";") if "=" in part)
        notes = []
        if parts.get("FREQ") in _HSDS_FREQUENCIES:
            for key, field in _RRULE_FIELDS.items():
                if key in parts:
                    value = parts[key]
                    result[field] = int(value) if field in ("interval", "count") else value
            if "UNTIL" in parts:
                until = parts["UNTIL"]
                result["until"] = f"{until[:4]}-{until[4:6]}-{until[6:8]}"
        elif entry.rrule:
            notes.append(f"RRULE:{entry.rrule}")  # HSDS knows weekly and monthly only
        if entry.exdates:
            notes.append("not on " + ", ".join(_day(d) or "" for d in entry.exdates))
        if notes:
            result["notes"] = "; ".join(notes)
        result["description"] = offer.title.get(self.network.config.language)
        return {k: v for k, v in result.items() if v is not None}

    def contact_parts(self, owner: str, contact: Contact) -> dict[str, Any]:
        parts: dict[str, Any] = {}
        if contact.phone:
            parts["phones"] = [{"id": self.id("phone", owner), "number": contact.phone}]
        if contact.person or contact.email:
            person = {"id": self.id("contact", owner), "name": contact.person,
                      "email": contact.email}
            parts["contacts"] = [{k: v for k, v in person.items() if v is not None}]
        return parts

    def service(self, offer: Offer) -> dict[str, Any]:
        network = self.network
        lang = network.config.language
        provider = network.actors[offer.provider]
        service: dict[str, Any] = {
            "id": self.id("offer", offer.id),
            "organization_id": self.id("actor", provider.id),
            "name": offer.title.get(lang),
            "alternate_name": " / ".join(t for code, t in offer.title.values if code != lang)
            or None,
            "description": offer.description.get(lang) if offer.description else None,
            "url": offer.url, "email": offer.contact.email,
            "status": "active" if not offer.valid_to or offer.valid_to >= date.today()
            else "inactive",
            "organization": self.organization(provider),
            "languages": [{"id": self.id("language", f"{offer.id}:{code}"), "code": code}
                          for code in offer.languages],
            "schedules": [self.schedule(offer, i, s) for i, s in enumerate(offer.schedule)],
            **self.contact_parts(offer.id, offer.contact),
        }
        if offer.municipality:
            name = network.municipality_name(offer.municipality)
            service["service_areas"] = [{
                "id": self.id("area", f"{offer.id}:{offer.municipality}"),
                "service_id": service["id"], "name": name, "extent_type": "text",
                "extent": f"AGS {offer.municipality}"}]
        if offer.location:
            location: dict[str, Any] = {
                "id": self.id("location", offer.location), "location_type": "physical",
                "name": offer.location}
            if offer.geo:
                location.update(latitude=offer.geo.lat, longitude=offer.geo.lon)
            service["service_at_locations"] = [{
                "id": self.id("service_at_location", offer.id), "service_id": service["id"],
                "location_id": location["id"], "location": location}]
        if offer.topic and offer.topic in network.topics:
            topic = network.topics[offer.topic]
            service["attributes"] = [{
                "id": self.id("attribute", f"{offer.id}:{topic.id}"),
                "link_id": service["id"], "link_type": "topic", "link_entity": "service",
                "taxonomy_term": {"id": self.id("topic", topic.id), "name": topic.label.get(lang),
                                  "description": topic.label.get("en"), "code": topic.id}}]
        return {k: v for k, v in service.items() if v not in (None, [], "")}


@attrs.frozen
class HsdsExporter:
    name: str = "hsds"
    suffix: str = ".json"
    description: str = "offers as Open Referral HSDS 3.0 services (an API page of services)"

    def export(self, network: Network, path: Path, options: Mapping[str, Any]) -> None:
        builder = _Builder(network)
        services = [builder.service(offer) for offer in network.offers.values()]
        page = {"total_items": len(services), "total_pages": 1, "page_number": 1,
                "size": len(services), "first_page": True, "last_page": True, "empty": not services,
                "contents": services}
        with atomic_write(path) as handle:
            json.dump(page, handle, ensure_ascii=False, indent=1)
            handle.write("\n")


@hookimpl(trylast=True)
def ki_network_exporters() -> list[Exporter]:
    return [HsdsExporter()]
