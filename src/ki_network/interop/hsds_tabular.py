"""HSDS 3.0 tabular data: nested service objects to CSV tables and back.

:func:`flatten` cuts nested HSDS objects (a service with its organisation, schedules,
locations …) into one row per object and table, linked by foreign keys; :func:`nest` puts
them together again.  Both follow the same table of relations (:data:`CHILDREN` and
:data:`REFERENCES`), so ``nest(flatten(services))`` gives the services back.

The tabular form has no room for extension fields (a column HSDS does not define makes the
package invalid), so ``x_…`` fields of every row go into the ``datapackage.json`` under
``x_ki_network_extensions`` (table → id → fields), and the import lays them back.

``ki-network export DIR --to hsds-tabular -o OUTDIR`` writes the CSV files (columns in the
official order, only the tables that have rows) and a ``datapackage.json`` describing them.

>>> rows = flatten([{"id": "s1", "name": "Café", "status": "active",
...                  "organization": {"id": "o1", "name": "Org", "description": "d"},
...                  "organization_id": "o1", "schedules": [{"id": "x1", "byday": "TU"}]}])
>>> rows.tables["schedule"]["x1"]["service_id"], sorted(rows.tables)
('s1', ['organization', 'schedule', 'service'])
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..datadir.yamlio import atomic_write
from .hsds_export import TZID, services

if TYPE_CHECKING:
    from .. import Network

#: Key of ``datapackage.json`` holding the extension fields of rows, by table and id.
EXTENSIONS_KEY = "x_ki_network_extensions"

#: HSDS 3.0 tables: file name and columns in the official order.
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "organization": ("organizations.csv", (
        "id", "name", "alternate_name", "description", "email", "website", "tax_status",
        "tax_id", "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id")),
    "program": ("programs.csv", (
        "id", "organization_id", "name", "alternate_name", "description")),
    "service": ("services.csv", (
        "id", "organization_id", "program_id", "name", "alternate_name", "description", "url",
        "email", "status", "interpretation_services", "application_process",
        "fees_description", "wait_time", "fees", "accreditations", "eligibility_description",
        "minimum_age", "maximum_age", "assured_date", "assurer_email", "licenses", "alert",
        "last_modified")),
    "attribute": ("attributes.csv", (
        "id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value")),
    "service_at_location": ("service_at_location.csv", (
        "id", "service_id", "location_id", "description")),
    "location": ("locations.csv", (
        "id", "location_type", "url", "organization_id", "name", "alternate_name",
        "description", "transportation", "latitude", "longitude", "external_identifier",
        "external_identifier_type")),
    "phone": ("phones.csv", (
        "id", "location_id", "service_id", "organization_id", "contact_id",
        "service_at_location_id", "number", "extension", "type", "description")),
    "contact": ("contacts.csv", (
        "id", "organization_id", "service_id", "service_at_location_id", "location_id", "name",
        "title", "department", "email")),
    "address": ("addresses.csv", (
        "id", "location_id", "attention", "address_1", "address_2", "city", "region",
        "state_province", "postal_code", "country", "address_type")),
    "schedule": ("schedules.csv", (
        "id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to",
        "dtstart", "timezone", "until", "count", "wkst", "freq", "interval", "byday",
        "byweekno", "bymonthday", "byyearday", "description", "opens_at", "closes_at",
        "schedule_link", "attending_type", "notes")),
    "funding": ("funding.csv", ("id", "organization_id", "service_id", "source")),
    "service_area": ("service_areas.csv", (
        "id", "service_id", "name", "description", "extent", "extent_type", "uri")),
    "required_document": ("required_documents.csv", ("id", "service_id", "document", "uri")),
    "language": ("languages.csv", (
        "id", "service_id", "location_id", "phone_id", "name", "code", "note")),
    "accessibility": ("accessibility.csv", ("id", "location_id", "description", "details",
                                            "url")),
    "taxonomy_term": ("taxonomy_terms.csv", (
        "id", "code", "name", "description", "parent_id", "taxonomy", "language",
        "taxonomy_id", "term_uri")),
    "metadata": ("metadata.csv", (
        "id", "resource_id", "resource_type", "last_action_date", "last_action_type",
        "field_name", "previous_value", "replacement_value", "updated_by")),
    "meta_table_description": ("meta_table_descriptions.csv", (
        "id", "name", "language", "character_set")),
    "cost_option": ("cost_options.csv", (
        "id", "service_id", "valid_from", "valid_to", "option", "currency", "amount",
        "amount_description")),
    "organization_identifier": ("organization_identifiers.csv", (
        "id", "organization_id", "identifier_scheme", "identifier_type", "identifier")),
    "taxonomy": ("taxonomies.csv", ("id", "name", "description", "uri", "version")),
}

#: Nested lists: (parent table, field) → (child table, the child's column naming the parent).
CHILDREN: dict[tuple[str, str], tuple[str, str]] = {
    ("service", "schedules"): ("schedule", "service_id"),
    ("service", "languages"): ("language", "service_id"),
    ("service", "phones"): ("phone", "service_id"),
    ("service", "contacts"): ("contact", "service_id"),
    ("service", "service_areas"): ("service_area", "service_id"),
    ("service", "service_at_locations"): ("service_at_location", "service_id"),
    ("service", "funding"): ("funding", "service_id"),
    ("service", "cost_options"): ("cost_option", "service_id"),
    ("service", "required_documents"): ("required_document", "service_id"),
    ("service", "attributes"): ("attribute", "link_id"),
    ("service", "metadata"): ("metadata", "resource_id"),
    ("service_at_location", "contacts"): ("contact", "service_at_location_id"),
    ("service_at_location", "phones"): ("phone", "service_at_location_id"),
    ("service_at_location", "schedules"): ("schedule", "service_at_location_id"),
    ("service_at_location", "attributes"): ("attribute", "link_id"),
    ("location", "addresses"): ("address", "location_id"),
    ("location", "phones"): ("phone", "location_id"),
    ("location", "schedules"): ("schedule", "location_id"),
    ("location", "languages"): ("language", "location_id"),
    ("location", "accessibility"): ("accessibility", "location_id"),
    ("location", "contacts"): ("contact", "location_id"),
    ("location", "attributes"): ("attribute", "link_id"),
    ("organization", "funding"): ("funding", "organization_id"),
    ("organization", "contacts"): ("contact", "organization_id"),
    ("organization", "phones"): ("phone", "organization_id"),
    ("organization", "locations"): ("location", "organization_id"),
    ("organization", "programs"): ("program", "organization_id"),
    ("organization", "organization_identifiers"): ("organization_identifier",
                                                   "organization_id"),
    ("organization", "attributes"): ("attribute", "link_id"),
    ("contact", "phones"): ("phone", "contact_id"),
    ("phone", "languages"): ("language", "phone_id"),
}

#: Nested single objects: (table, field) → (the object's table, the column naming it).
REFERENCES: dict[tuple[str, str], tuple[str, str]] = {
    ("service", "organization"): ("organization", "organization_id"),
    ("service", "program"): ("program", "program_id"),
    ("service_at_location", "location"): ("location", "location_id"),
    ("attribute", "taxonomy_term"): ("taxonomy_term", "taxonomy_term_id"),
    ("taxonomy_term", "taxonomy_detail"): ("taxonomy", "taxonomy_id"),
}

#: Children nested when tables are put together again, by parent table.  The organisation
#: of a service is not given its locations and programs again (they are the service's).
_NEST_CHILDREN: dict[str, list[tuple[str, str, str]]] = {}
for (_parent, _field), (_child, _column) in CHILDREN.items():
    if (_parent, _field) not in {("organization", "locations"), ("organization", "programs")}:
        _NEST_CHILDREN.setdefault(_parent, []).append((_field, _child, _column))


@attrs.define
class Flat:
    """Rows by table and id, and the extension fields of rows by table and id."""

    tables: dict[str, dict[str, dict[str, Any]]] = attrs.field(factory=dict)
    extensions: dict[str, dict[str, dict[str, Any]]] = attrs.field(factory=dict)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def flatten(objects: Iterable[Mapping[str, Any]], table: str = "service") -> Flat:
    """One row per object and table; rows with the same id are merged (first value wins)."""
    flat = Flat()

    def add(obj: Mapping[str, Any], name: str, links: Mapping[str, str]) -> str | None:
        ident = obj.get("id")
        if not isinstance(ident, str) or not ident:
            return None
        columns = TABLES[name][1]
        row: dict[str, Any] = {k: v for k, v in links.items() if k in columns}
        for key, value in obj.items():
            if (name, key) in REFERENCES and isinstance(value, Mapping):
                target, column = REFERENCES[(name, key)]
                child = add(value, target, {})
                if child is not None:
                    row.setdefault(column, child)
            elif (name, key) in CHILDREN and isinstance(value, list):
                target, column = CHILDREN[(name, key)]
                extra = {"link_entity": name} if target == "attribute" else {}
                for item in value:
                    if isinstance(item, Mapping):
                        add(item, target, {column: ident, **extra})
            elif key in columns and not isinstance(value, Mapping | list):
                if value is not None:
                    row[key] = value
            elif key.startswith("x_"):
                flat.extensions.setdefault(name, {}).setdefault(ident, {})[key] = value
        rows = flat.tables.setdefault(name, {})
        if ident in rows:
            for key, value in row.items():
                if rows[ident].get(key) in (None, ""):
                    rows[ident][key] = value
        else:
            rows[ident] = row
        return ident

    for obj in objects:
        add(obj, table, {})
    _park_dangling(flat)
    return flat


def _park_dangling(flat: Flat) -> None:
    """Move foreign keys that point at no row of a table present into the extensions
    (``x_dangling_<column>``): the package stays valid, and an import lays them back."""
    links = {(child, column, parent) for (parent, _), (child, column) in CHILDREN.items()
             if column != "link_id"}
    links |= {(parent, column, target) for (parent, _), (target, column) in REFERENCES.items()}
    for table, column, target in links:
        targets = flat.tables.get(target)
        if targets is None:
            continue
        for ident, row in flat.tables.get(table, {}).items():
            value = row.get(column)
            if value not in (None, "") and str(value) not in targets:
                del row[column]
                flat.extensions.setdefault(table, {}).setdefault(ident, {})[
                    f"x_dangling_{column}"] = value


def write_package(flat: Flat, directory: Path, *, name: str, title: str,
                  timezone: str | None) -> list[Path]:
    """Write the tables of ``flat`` as CSV files and a ``datapackage.json`` to
    ``directory``; return the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    resources = []
    for table, (filename, columns) in TABLES.items():
        rows = flat.tables.get(table)
        if not rows:
            continue
        path = directory / filename
        with atomic_write(path, newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(columns)
            for row in rows.values():
                writer.writerow([_cell(row.get(column)) for column in columns])
        written.append(path)
        resource: dict[str, Any] = {
            "name": table, "path": filename, "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "schema": {"fields": [{"name": c, "type": "string"} for c in columns],
                       "primaryKey": "id"}}
        if table == "schedule" and timezone:
            resource[TZID] = timezone
        resources.append(resource)
    package: dict[str, Any] = {
        "name": name, "title": title, "profile": "tabular-data-package",
        "x_hsds_version": "3.0", "resources": resources}
    if timezone:
        package[TZID] = timezone
    if flat.extensions:
        package[EXTENSIONS_KEY] = flat.extensions
    path = directory / "datapackage.json"
    with atomic_write(path) as handle:
        json.dump(package, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    written.append(path)
    return written


def nest(tables: Mapping[str, Mapping[str, Mapping[str, Any]]],
         extensions: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
         table: str = "service") -> list[dict[str, Any]]:
    """The nested objects of ``table`` put together from rows by table and id."""
    extensions = extensions or {}
    by_parent: dict[tuple[str, str], dict[str, list[Mapping[str, Any]]]] = {}

    def children(child: str, column: str) -> dict[str, list[Mapping[str, Any]]]:
        key = (child, column)
        if key not in by_parent:
            index: dict[str, list[Mapping[str, Any]]] = {}
            for row in tables.get(child, {}).values():
                parent = row.get(column)
                if parent:
                    index.setdefault(str(parent), []).append(row)
            by_parent[key] = index
        return by_parent[key]

    def build(name: str, row: Mapping[str, Any], depth: int) -> dict[str, Any]:
        obj = {k: v for k, v in row.items() if v not in (None, "")}
        ident = str(row.get("id", ""))
        for key, value in extensions.get(name, {}).get(ident, {}).items():
            if key.startswith("x_dangling_"):
                obj.setdefault(key.removeprefix("x_dangling_"), value)
            else:
                obj[key] = value
        if depth > 6:
            return obj
        for (parent, field), (target, column) in REFERENCES.items():
            if parent == name and row.get(column) and row[column] in tables.get(target, {}):
                obj[field] = build(target, tables[target][row[column]], depth + 1)
        for field, child, column in _NEST_CHILDREN.get(name, ()):
            found = children(child, column).get(ident)
            if child == "attribute" and found:
                found = [r for r in found if r.get("link_entity") in (None, "", name)]
            if found:
                obj[field] = [build(child, r, depth + 1) for r in found]
        return obj

    return [build(table, row, 0) for row in tables.get(table, {}).values()]


@attrs.frozen
class HsdsTabularExporter:
    """``ki-network export DIR --to hsds-tabular -o OUTDIR``: CSV files + datapackage.json."""

    name: str = "hsds-tabular"
    suffix: str = ""
    description: str = "offers as Open Referral HSDS 3.0 tabular data (a directory of CSV " \
                       "files and a datapackage.json)"

    def export(self, network: Network, path: Path, options: Mapping[str, Any]) -> None:
        flat = flatten(services(network))
        slug = "".join(c if c.isalnum() else "-" for c in network.config.name.lower()).strip("-")
        write_package(flat, path, name=slug or "network", title=network.config.name,
                      timezone=network.config.timezone)
