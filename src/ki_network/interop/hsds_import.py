"""HSDS services and organisations as records of a data directory — losing nothing.

:func:`convert` maps what :func:`~ki_network.interop.hsds_read.read_hsds` read onto actors
(organisations) and offers (services); ``docs/interop.md`` lists the mapping field by field.

Nothing is lost: after mapping, each offer is exported again with
:class:`~ki_network.interop.hsds_export.ServiceBuilder` and compared with what was read;
whatever the export would not give back (fields without a counterpart, ids that are not ours,
a second phone …) is kept on the record under ``hsds:`` and laid back by the next export.

Real data is repaired, and every repair is reported:

* a service whose organisation is missing gets a placeholder actor ``org-<id>``; locations
  and schedules of a missing service a placeholder offer ``svc-<id>`` (internal);
* schedules nested in locations are listed under the service (with their ``location_id``);
* times without a zone are local time in the network's zone; overnight hours end the next
  day; a ``count`` beside ``until`` is dropped (RFC 5545 allows one of them);
* HSDS 1.x opening-hour rows without times (closed days) are kept, not imported as
  occurrences;
* taxonomy terms map to topics and target groups through a mapping the user edits; the
  terms that map to nothing are listed.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import attrs
from babel.core import Locale, get_global

from ..datadir.build import ID_PATTERN, Builder
from ..datadir.config import NetworkConfig
from ..datadir.records import RecordSet
from ..datadir.yamlio import Record
from ..errors import Origin
from ..network import Network
from ..plugin import Hooks
from ..region import Region
from .hsds_diff import _normalized, diff
from .hsds_export import (
    KEPT,
    TARGET_GROUP_TAXONOMY,
    TOPIC_TAXONOMY,
    ServiceBuilder,
)
from .hsds_read import HsdsData
from .hsds_schedules import _date, _ext, _float, _Schedules

#: Marks a record the import made up for a reference that points at nothing.
PLACEHOLDER = "x_ki_placeholder"


_AGS = re.compile(r"\bAGS\s*(\d{8})\b")


_SLUG = re.compile(r"[^a-z0-9._-]+")


@attrs.define
class TaxonomyMap:
    """HSDS taxonomy terms → our topics and target groups.

    Keys are matched without regard to case against a term's ``taxonomy:code``, its code and
    its name, in that order.  The default maps nothing (every term is then listed as
    unmapped); terms of ki-network's own taxonomies always map.
    """

    topics: dict[str, str] = attrs.field(factory=dict)
    target_groups: dict[str, str] = attrs.field(factory=dict)

    @classmethod
    def of(cls, data: Any) -> TaxonomyMap:
        """From the mapping file's content: ``{topics: {term: topic}, target_groups: …}``."""
        if not isinstance(data, Mapping):
            return cls()
        return cls(*({str(k).casefold(): str(v) for k, v in (data.get(key) or {}).items()
                      if v not in (None, "")}
                     for key in ("topics", "target_groups")))

    def lookup(self, table: Mapping[str, str], term: Mapping[str, Any]) -> str | None:
        keys = [f"{term.get('taxonomy')}:{term.get('code')}", term.get("code"), term.get("name")]
        for key in keys:
            if key and str(key).casefold() in table:
                return table[str(key).casefold()]
        return None


@attrs.define
class HsdsImport:
    """Records made from HSDS data, and what happened on the way."""

    actors: list[Record] = attrs.field(factory=list)
    offers: list[Record] = attrs.field(factory=list)
    #: ``file:row: message``: repairs and notes
    warnings: list[str] = attrs.field(factory=list)
    #: ``file:row: message``: references that point at nothing
    dangling: list[str] = attrs.field(factory=list)
    #: ``file:row: skipped …``: records the data directory would refuse, with the reason
    skipped: list[str] = attrs.field(factory=list)
    #: unmapped taxonomy terms and how many services name them
    unmapped_terms: Counter[str] = attrs.field(factory=Counter)
    #: rows read, by table
    read: dict[str, int] = attrs.field(factory=dict)
    #: what the network got: actors, offers, placeholders, schedules, kept closed days
    imported: dict[str, int] = attrs.field(factory=dict)


def slug(prefix: str, ident: str) -> str:
    """A valid id for a foreign identifier: ``svc-135836``; odd characters are replaced and
    a hash of the original added, so different identifiers never meet."""
    text = _SLUG.sub("-", ident.lower()).strip("-._")
    candidate = f"{prefix}-{text}" if text else prefix
    if text != ident.lower() or len(candidate) > 60:
        digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:10]
        candidate = f"{candidate[:48].rstrip('-._')}-{digest}"
    return candidate


def _language_tables() -> tuple[dict[str, str], dict[str, str]]:
    aliases = {str(k).lower(): str(v) for k, v in get_global("language_aliases").items()}
    names = {str(v).casefold(): str(k) for k, v in Locale("en").languages.items()}
    return aliases, names


_LANGUAGE_ALIASES, _LANGUAGE_NAMES = _language_tables()


def language_code(item: Mapping[str, Any]) -> str | None:
    """An ISO 639 code for an HSDS language (by ``code``, else by English ``name``)."""
    for value in (item.get("code"), item.get("name")):
        if not isinstance(value, str) or not value.strip():
            continue
        text = value.strip().replace("_", "-").split("-")[0].lower()
        if re.fullmatch(r"[a-z]{2}", text):
            return text
        if re.fullmatch(r"[a-z]{3}", text):
            alias = _LANGUAGE_ALIASES.get(text, text)
            return alias if re.fullmatch(r"[a-z]{2,3}", alias) else text
        found = _LANGUAGE_NAMES.get(value.strip().casefold())
        if found and re.fullmatch(r"[a-z]{2,3}", found):
            return found
    return None


def _text(value: Any, translations: Any, language: str) -> str | dict[str, str] | None:
    base = value if isinstance(value, str) and value.strip() else None
    if isinstance(translations, Mapping) and translations:
        merged = {str(k): str(v) for k, v in translations.items()}
        if base is not None:
            merged[language] = base
        return merged
    return base


def _address(item: Mapping[str, Any]) -> str | None:
    street = ", ".join(str(item[k]) for k in ("address_1", "address_2") if item.get(k))
    town = " ".join(str(item[k]) for k in ("postal_code", "city") if item.get(k))
    parts = [p for p in (street, town) if p]
    return ", ".join(parts) or None


def _first_address(place: Mapping[str, Any]) -> str | None:
    for item in place.get("addresses") or place.get("x_hsds1_addresses") or []:
        if isinstance(item, Mapping) and _address(item):
            return _address(item)
    return None


def _geo(place: Mapping[str, Any], where: str, notes: list[str]) -> dict[str, float] | None:
    lat, lon = _float(place.get("latitude")), _float(place.get("longitude"))
    if lat is None or lon is None:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        notes.append(f"{where}: latitude/longitude {lat}, {lon} are not on Earth; left out")
        return None
    return {"lat": lat, "lon": lon}


@attrs.define
class _Converter:
    data: HsdsData
    config: NetworkConfig
    region: Region
    taxonomy: TaxonomyMap
    reserved: frozenset[str]
    result: HsdsImport = attrs.field(factory=HsdsImport)
    actor_ids: dict[str, str] = attrs.field(factory=dict)  # HSDS organisation id → ours
    taken: set[str] = attrs.field(factory=set)
    originals: dict[str, tuple[dict[str, Any], str]] = attrs.field(factory=dict)
    #: offer id → for each of its schedule entries, the index of the HSDS schedule it was made
    #: from (in the original's ``schedules``) and where that schedule was read
    sources: dict[str, list[tuple[int, str]]] = attrs.field(factory=dict)
    #: offer id → indexes of HSDS schedules the data directory refused as entries: left out
    #: of the offer's schedule, given back whole from the kept data by the HSDS export
    dropped: dict[str, list[int]] = attrs.field(factory=dict)

    def claim(self, wanted: str, fallback: str) -> str:
        ident = wanted if ID_PATTERN.match(wanted) and wanted not in self.taken else fallback
        n = 2
        base = ident
        while ident in self.taken:
            ident = f"{base}-{n}"
            n += 1
        self.taken.add(ident)
        return ident

    # -- organisations -----------------------------------------------------------------------

    def actor(self, org: Mapping[str, Any], where: str) -> str:
        hsds = str(org.get("id") or f"row-{where}")
        if hsds in self.actor_ids:
            return self.actor_ids[hsds]
        ext = _ext(org)
        ident = self.claim(str(ext.get("id") or ""), slug("org", hsds))
        self.actor_ids[hsds] = ident
        lang = self.config.language
        name = org.get("name")
        if not isinstance(name, str) or not name.strip():
            name = f"(no name: organisation {hsds})"
            self.result.warnings.append(f"{where}: organisation {hsds!r} has no name; "
                                        f"named {name!r}")
        kind = ext.get("kind") or "other"
        generated = f"{name} ({str(kind).replace('_', ' ')})"
        description = org.get("description")
        if description == generated:
            description = None
        record: dict[str, Any] = {"id": ident, "name": name, "kind": kind}
        text = _text(description, ext.get("description"), lang)
        if text:
            record["description"] = text
        contact = dict(ext.get("contact") or {})
        for ours, theirs in (("email", "email"), ("website", "website")):
            if org.get(theirs):
                contact[ours] = org[theirs]
        phones = [p for p in org.get("phones") or [] if isinstance(p, Mapping)]
        if phones and phones[0].get("number") and "phone" not in contact:
            contact["phone"] = str(phones[0]["number"])
        if contact:
            record["contact"] = contact
        address = ext.get("address") or _first_address(org)
        if not address:
            for place in org.get("locations") or []:
                if isinstance(place, Mapping) and _first_address(place):
                    address = _first_address(place)
                    break
        if address:
            record["address"] = address
        for key in ("municipalities", "languages", "topics", "visibility", "calendar", "geo"):
            if ext.get(key):
                record[key] = ext[key]
        if isinstance(record.get("municipalities"), list):
            record["municipalities"] = [self._named(str(m)) for m in record["municipalities"]]
        if isinstance(ext.get("extra"), Mapping):
            for key, value in ext["extra"].items():
                record.setdefault(key, value)
        self.result.actors.append(Record(record, origin=_origin(where)))
        self.originals[ident] = (dict(org), where)
        return ident

    def placeholder_actor(self, hsds_id: str, where: str) -> str:
        if hsds_id in self.actor_ids:
            return self.actor_ids[hsds_id]
        ident = self.claim(slug("org", hsds_id), slug("org", hsds_id))
        self.actor_ids[hsds_id] = ident
        record = {"id": ident, "name": f"Organisation {hsds_id} (not in the HSDS data)",
                  "kind": "other", KEPT: {PLACEHOLDER: True, "id": hsds_id}}
        self.result.actors.append(Record(record, origin=_origin(where)))
        self.result.imported["placeholder actors"] = \
            self.result.imported.get("placeholder actors", 0) + 1
        return ident

    # -- services ----------------------------------------------------------------------------

    def offer(self, service: dict[str, Any], where: str, *, placeholder: bool = False) -> None:
        original = _normalized(service)
        ext = _ext(original)
        hsds = str(original.get("id") or where)
        ident = self.claim(str(ext.get("id") or ""), slug("svc", hsds))
        lang = self.config.language
        notes = self.result.warnings
        org = original.get("organization")
        org_id = str(original.get("organization_id") or (org or {}).get("id") or "")
        if isinstance(org, Mapping) and org.get("id"):
            provider = self.actor(org, self.data.origin(org) if id(org) in self.data.origins
                                  else where)
        elif org_id and org_id in self.actor_ids:
            provider = self.actor_ids[org_id]
        else:
            provider = self.placeholder_actor(org_id or "unknown", where)
            notes.append(f"{where}: service {hsds!r}: organisation "
                         f"{org_id or '(none)'!r} is not in the data; provided by "
                         f"placeholder actor {provider!r}")
        name = original.get("name")
        if not isinstance(name, str) or not name.strip():
            name = f"(no name: service {hsds})"
            notes.append(f"{where}: service {hsds!r} has no name; named {name!r}")
        record: dict[str, Any] = {"id": ident, "title": _text(name, ext.get("title"), lang),
                                  "provider": provider}
        description = _text(original.get("description"), ext.get("description"), lang)
        if description:
            record["description"] = description
        partners = []
        for partner in ext.get("partners") or []:
            if isinstance(partner, Mapping) and partner.get("id"):
                partners.append(self.actor(partner, where))
            elif isinstance(partner, str):
                partners.append(self.actor_ids.get(partner, partner))
        if partners:
            record["partners"] = partners
        self._terms(original, record, where)
        languages = []
        for item in original.get("languages") or []:
            if isinstance(item, Mapping):
                code = language_code(item)
                if code is None:
                    notes.append(f"{where}: language {item.get('name') or item.get('code')!r}"
                                 " has no ISO 639 code; kept as it is")
                elif code not in languages:
                    languages.append(code)
        if languages:
            record["languages"] = languages
        for area in original.get("service_areas") or []:
            if isinstance(area, Mapping):
                found = _AGS.search(str(area.get("extent") or ""))
                if found and self._known_municipality(found[1]):
                    record["municipality"] = self._named(found[1])
                    break
        ats = [a for a in original.get("service_at_locations") or [] if isinstance(a, Mapping)]
        place = ats[0].get("location") if ats else None
        if isinstance(place, Mapping):
            text = place.get("name")
            address = _first_address(place)
            if address and (not text or address not in str(text)):
                text = f"{text}, {address}" if text else address
            if text:
                record["location"] = text
            geo = _geo(place, where, notes)
            if geo:
                record["geo"] = geo
        contact = dict(ext.get("contact") or {})
        phones = [p for p in original.get("phones") or [] if isinstance(p, Mapping)]
        if phones and phones[0].get("number"):
            contact["phone"] = str(phones[0]["number"])
        people = [c for c in original.get("contacts") or [] if isinstance(c, Mapping)]
        if people and people[0].get("name"):
            contact["person"] = people[0]["name"]
        email = original.get("email") or (people[0].get("email") if people else None)
        if email:
            contact["email"] = email
        if contact:
            record["contact"] = contact
        if original.get("url"):
            record["url"] = original["url"]
        program = original.get("program")
        if isinstance(program, Mapping) and program.get("name"):
            record["programme"] = program["name"]
        schedules = _Schedules(self.config.tz, self.data.timezone, notes)
        entries, closed, closures = [], 0, []
        sources: list[tuple[int, str]] = []
        for index, item in enumerate(original.get("schedules") or []):
            where_item = self.data.rows.get(("schedule", str(item.get("id"))), where)
            if item.get("x_hsds1_table") == "holiday_schedules" and \
                    str(item.get("closed", "")).lower() in ("true", "1", "yes", "t"):
                first, last = _date(item.get("dtstart")), _date(item.get("until"))
                if first is not None:
                    closures.append((first, last or first))
                    closed += 1
                    continue
            entry = schedules.record(item, where_item, name)
            if entry is None:
                closed += 1
            else:
                entries.append(entry)
                sources.append((index, where_item))
        for entry in entries:
            if "rrule" not in entry:
                continue
            days = sorted({first + timedelta(days=n) for first, last in closures
                           for n in range(min((last - first).days, 366) + 1)})
            if days:  # a closed holiday: the occurrences of that day do not take place
                entry["exdates"] = [*entry.get("exdates", []), *(d.isoformat() for d in days)]
        if entries:
            record["schedule"] = entries
        self.result.imported["schedules"] = self.result.imported.get("schedules", 0) + \
            len(entries)
        self.result.imported["closed days kept"] = \
            self.result.imported.get("closed days kept", 0) + closed
        valid = {k: _date(ext.get(k)) for k in ("valid_from", "valid_to")}
        for key in ("valid_from", "valid_to"):
            values = {str(s.get(key)) for s in original.get("schedules") or []
                      if isinstance(s, Mapping) and s.get(key)}
            if valid[key] is None and len(values) == 1:
                valid[key] = _date(values.pop())
            if valid[key] is not None:
                record[key] = valid[key].isoformat()  # type: ignore[union-attr]
        if valid["valid_from"] and valid["valid_to"] and valid["valid_to"] < valid["valid_from"]:
            notes.append(f"{where}: valid_to is before valid_from; both left out")
            del record["valid_from"], record["valid_to"]
        if ext.get("visibility"):
            record["visibility"] = ext["visibility"]
        if placeholder:
            record["visibility"] = "internal"
            record[KEPT] = {PLACEHOLDER: True}
        if isinstance(ext.get("extra"), Mapping):
            for key, value in ext["extra"].items():
                record.setdefault(key, value)
        self.result.offers.append(Record(record, origin=_origin(where)))
        self.originals[ident] = (original, where)
        self.sources[ident] = sources

    def _named(self, ags: str) -> str:
        """A municipality as the data files write it: by name where the region knows it."""
        for municipality in self.region.municipalities:
            if municipality.ags == ags:
                return municipality.name
        return ags

    def _known_municipality(self, ags: str) -> bool:
        if self.region.name is None:
            return True
        return any(m.ags == ags for m in self.region.municipalities)

    def _terms(self, service: Mapping[str, Any], record: dict[str, Any], where: str) -> None:
        groups: list[str] = []
        for attribute in service.get("attributes") or []:
            if not isinstance(attribute, Mapping):
                continue
            term = attribute.get("taxonomy_term")
            if not isinstance(term, Mapping):
                continue
            taxonomy, code = term.get("taxonomy"), term.get("code")
            topic = code if taxonomy == TOPIC_TAXONOMY else \
                self.taxonomy.lookup(self.taxonomy.topics, term)
            group = code if taxonomy == TARGET_GROUP_TAXONOMY else \
                self.taxonomy.lookup(self.taxonomy.target_groups, term)
            if topic and "topic" not in record:
                record["topic"] = topic
            elif topic:
                self.result.warnings.append(f"{where}: second topic {topic!r} left out (an "
                                            "offer has one topic); the term is kept")
            if group and group not in groups:
                groups.append(group)
            if not topic and not group:
                label = f"{taxonomy}:{code}" if taxonomy and code else \
                    str(term.get("name") or code or term.get("id"))
                self.result.unmapped_terms[label] += 1
        if groups:
            record["target_groups"] = groups


def _origin(where: str) -> Origin:
    path, _, line = where.rpartition(":")
    if path and line.isdigit():
        return Origin(path, int(line))
    return Origin(where)


def convert(data: HsdsData, *, config: NetworkConfig, hooks: Hooks,
            region: Region | None = None, taxonomy: TaxonomyMap | None = None,
            reserved: Iterable[str] = ()) -> HsdsImport:
    """Map ``data`` onto records for a network with ``config``.

    Every record is checked with the data directory's own builder; a record it would refuse
    is left out and listed in :attr:`HsdsImport.skipped` with the reason.

    :param hooks: the plugins (for topics, target groups and labels).
    :param reserved: ids already used in the network that the import must not take
        (records with these ids that the import makes *replace* them: pass only ids of
        records not from HSDS).
    """
    region = region or Region(None, ())
    converter = _Converter(data, config, region, taxonomy or TaxonomyMap(),
                           frozenset(reserved))
    converter.taken.update(reserved)
    result = converter.result
    result.read = dict(data.counts)
    result.dangling = list(data.dangling)
    result.warnings.extend(data.warnings)
    for org in data.organizations:
        where = data.origin(org)
        try:
            converter.actor(org, where)
        except Exception as exc:  # one odd object must not take the import down
            result.skipped.append(f"{where}: skipped organisation {org.get('id')!r}: cannot "
                                  f"be read: {type(exc).__name__}: {exc}")
    for service in data.services:
        where = data.origin(service)
        try:
            converter.offer(service, where)
        except Exception as exc:  # reported like any other skipped record
            result.skipped.append(f"{where}: skipped service {service.get('id')!r}: cannot "
                                  f"be read: {type(exc).__name__}: {exc}")
    for missing, holders in data.orphans.items():
        places = [h["location"].get("name") for h in holders
                  if isinstance(h.get("location"), Mapping) and h["location"].get("name")]
        title = (f"At {places[0]}: " if places else "") + \
            f"service {missing} (not in the HSDS data)"
        owners = [h["location"].get("organization_id") for h in holders
                  if isinstance(h.get("location"), Mapping)
                  and h["location"].get("organization_id")]
        placeholder = {"id": missing, "name": title,
                       **({"organization_id": owners[0]} if owners else {}),
                       "service_at_locations": [h for h in holders if "location_id" in h],
                       "schedules": [s for h in holders for s in h.get("schedules") or []]}
        where = data.origin(holders[0])
        result.warnings.append(f"{where}: service {missing!r} is not in the data; its "
                               f"locations and schedules are kept on placeholder offer "
                               f"{slug('svc', missing)!r} (internal)")
        converter.offer(placeholder, where, placeholder=True)
        result.imported["placeholder offers"] = result.imported.get("placeholder offers", 0) + 1
    _keep_the_rest(converter, _check(converter, hooks))
    result.imported["actors"] = len(result.actors)
    result.imported["offers"] = len(result.offers)
    return result


def _builder(converter: _Converter, hooks: Hooks) -> Builder:
    return Builder(converter.config, converter.region, hooks.topics(), hooks.target_groups(),
                   hooks.label_aliases(converter.config.region))


def _shadow(record: Record, key: str) -> Record:
    """``record`` as the builder is to check it: at ``key``, each schedule entry at a key of
    its own (``key#schedule#n``), so that a refused entry can be told from a refused record."""
    shown = Record(record, origin=Origin(key))
    entries = record.get("schedule")
    if isinstance(entries, list):
        shown["schedule"] = [
            Record(entry, origin=Origin(f"{key}#schedule#{n}"),
                   key_origins={field: Origin(f"{key}#schedule#{n}") for field in entry})
            if isinstance(entry, dict) else entry for n, entry in enumerate(entries)]
    return shown


def _drop_entries(converter: _Converter, record: Record,
                  refused: Mapping[int, list[str]]) -> None:
    """Leave the refused schedule entries out of offer ``record``, and say so where each
    HSDS schedule was read.  The HSDS schedule itself stays in the kept data (see
    :func:`_keep_the_rest`)."""
    ident = str(record["id"])
    sources = converter.sources.get(ident, [])
    original, _ = converter.originals.get(ident, ({}, ""))
    hsds_schedules = original.get("schedules") or []
    entries = list(record.get("schedule") or [])
    for n in sorted(refused):
        index, where = sources[n] if n < len(sources) else (-1, str(record.origin))
        hsds_id = hsds_schedules[index].get("id") if 0 <= index < len(hsds_schedules) else None
        converter.result.warnings.append(
            f"{where}: schedule {hsds_id!r} of service {original.get('id')!r} left out of "
            f"offer {ident!r}: {'; '.join(refused[n])}; the HSDS schedule is kept for the "
            "HSDS export")
        if index >= 0:
            converter.dropped.setdefault(ident, []).append(index)
    record["schedule"] = [e for n, e in enumerate(entries) if n not in refused]
    converter.sources[ident] = [s for n, s in enumerate(sources) if n not in refused]
    if not record["schedule"]:
        del record["schedule"]
    imported = converter.result.imported
    imported["schedules"] = imported.get("schedules", 0) - len(refused)
    imported["schedules left out"] = imported.get("schedules left out", 0) + len(refused)


def _check(converter: _Converter, hooks: Hooks) -> Network:
    """Leave out (and list) records the builder refuses; repeat, since an actor left out
    takes its offers with it.  A schedule entry the builder refuses is left out of its offer
    (with a warning), not the offer with it.  Returns the network of the records that
    remain."""
    result = converter.result
    while True:
        records = RecordSet()
        shadow: dict[str, Record] = {}
        for kind, items in (("actors", result.actors), ("offers", result.offers)):
            for index, record in enumerate(items):
                key = f"#{kind}#{index}"
                shadow[key] = record
                records.add(kind, _shadow(record, key) if kind == "offers"
                            else Record(record, origin=Origin(key)))
        builder = _builder(converter, hooks)
        built, problems = builder.build(records)
        bad: dict[str, list[str]] = {}
        entries: dict[str, dict[int, list[str]]] = {}
        for problem in problems:
            key, _, entry = problem.origin.path.partition("#schedule#")
            if entry.isdigit():
                entries.setdefault(key, {}).setdefault(int(entry), []).append(problem.message)
            else:
                bad.setdefault(key, []).append(problem.message)
        if not bad and not entries:
            return Network(converter.config, converter.region, builder.topics.values(),
                           builder.target_groups.values(), built, hooks)
        for key, refused in entries.items():
            if key in bad:  # the record is left out: all its reasons are said
                bad[key] += [m for messages in refused.values() for m in messages]
            elif key in shadow:
                _drop_entries(converter, shadow[key], refused)
        for key, messages in bad.items():
            if key not in shadow:
                continue
            record = shadow[key]
            result.skipped.append(f"{record.origin}: skipped {key.split('#')[1][:-1]} "
                                  f"{record.get('id')!r}: {'; '.join(messages)}")
        result.actors = [r for i, r in enumerate(result.actors) if f"#actors#{i}" not in bad]
        result.offers = [r for i, r in enumerate(result.offers) if f"#offers#{i}" not in bad]


def _keep_the_rest(converter: _Converter, network: Network) -> None:
    """Export each record again and keep under ``hsds:`` what the export would not give
    back."""
    result = converter.result
    services = ServiceBuilder(network)
    for record in result.offers:
        original, _ = converter.originals.get(record["id"], ({}, ""))
        offer = network.offers.get(record["id"])
        if offer is None or not original:
            continue
        exported = services.service(offer)
        theirs = {k: v for k, v in original.items() if k != "organization"}
        dropped = converter.dropped.get(record["id"])
        if dropped and isinstance(theirs.get("schedules"), list):
            # The entries that remain come first, in their order, as the export lists them;
            # the refused schedules follow and are given back whole from the kept data.
            listed = theirs["schedules"]
            theirs["schedules"] = [*(s for i, s in enumerate(listed) if i not in dropped),
                                   *(listed[i] for i in dropped if i < len(listed))]
        ours = {k: v for k, v in exported.items() if k != "organization"}
        rest = diff(theirs, ours)
        if rest:
            record[KEPT] = {**(record.get(KEPT) or {}), **rest}
    for record in result.actors:
        original, _ = converter.originals.get(record["id"], ({}, ""))
        actor = network.actors.get(record["id"])
        if actor is None or not original:
            continue
        rest = diff({k: v for k, v in original.items() if k != "services"},
                    services.organization(actor))
        if rest:
            record[KEPT] = {**(record.get(KEPT) or {}), **rest}
