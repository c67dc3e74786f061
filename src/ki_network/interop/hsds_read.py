"""Reading HSDS data as it comes: JSON in four shapes, tabular packages, HSDS 1.x tables.

:func:`read_hsds` returns service objects in the nested HSDS 3.0 shape (organisation,
schedules, locations … inside each service), organisations without services, and warnings
with file and row.  It is lenient with real data:

* JSON: one object, a list, an API page (``{"contents": [...]}``) or ndjson; objects may be
  services, organisations (with nested ``services``) or ``service_at_location`` objects;
* tabular: a directory of CSV files, with or without ``datapackage.json``; HSDS 1.x tables
  are adapted (``regular_schedules``, ``holiday_schedules``, ``physical_addresses``,
  ``postal_addresses``, ``services_at_location``, ``services_taxonomy``/``taxonomy``);
* empty strings and the literal ``null`` are missing values; rows without an id get one
  (``<table>-row<N>``); columns HSDS does not define are kept on the objects;
* a foreign key that points at nothing is a warning with file and row, never a failure.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from .hsds_tabular import CHILDREN, EXTENSIONS_KEY, REFERENCES, TABLES, nest

#: Columns of HSDS 3.0 tables that hold numbers (CSV cells are text).
NUMBERS = frozenset({"timezone", "count", "interval", "latitude", "longitude", "minimum_age",
                     "maximum_age", "year_incorporated", "extension", "amount"})

#: Names that mean "no value" in real data.
MISSING = frozenset({"", "null", "NULL", "Null"})

_FILE_TABLE = {filename: table for table, (filename, _) in TABLES.items()}
_V1_FILES = {
    "regular_schedules.csv": "regular_schedule", "holiday_schedules.csv": "holiday_schedule",
    "physical_addresses.csv": "physical_address", "postal_addresses.csv": "postal_address",
    "services_at_location.csv": "service_at_location", "services_taxonomy.csv":
    "service_taxonomy", "taxonomy.csv": "taxonomy_v1", "accessibility_for_disabilities.csv":
    "accessibility", "eligibility.csv": "eligibility", "payments_accepted.csv":
    "payment_accepted",
}
WEEKDAYS = {"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH",
            "friday": "FR", "saturday": "SA", "sunday": "SU", "mo": "MO", "tu": "TU",
            "we": "WE", "th": "TH", "fr": "FR", "sa": "SA", "su": "SU",
            # HSDS 1.x numbers the days 1 (Monday) … 7 (Sunday)
            "1": "MO", "2": "TU", "3": "WE", "4": "TH", "5": "FR", "6": "SA", "7": "SU"}


class HsdsReadError(Exception):
    """The source cannot be read at all (a file missing, not JSON, not a directory …)."""


@attrs.define
class HsdsData:
    """What a source holds, in the nested HSDS 3.0 shape."""

    source: str
    services: list[dict[str, Any]] = attrs.field(factory=list)
    organizations: list[dict[str, Any]] = attrs.field(factory=list)
    #: ``file:row: message`` for everything dangling or repaired
    warnings: list[str] = attrs.field(factory=list)
    #: where each object came from: id(object) → "file:row"
    origins: dict[int, str] = attrs.field(factory=dict)
    #: rows read, by table (HSDS 3.0 table names; 1.x tables under their own names)
    counts: dict[str, int] = attrs.field(factory=dict)
    #: the IANA zone named by the package (``x_tzid``), if any
    timezone: str | None = None
    version: str = "3.0"
    #: dangling references: ``file:row: message``
    dangling: list[str] = attrs.field(factory=list)
    #: service ids that rows refer to but that do not exist, with the rows' objects
    orphans: dict[str, list[dict[str, Any]]] = attrs.field(factory=dict)

    #: where each row was read: (table, id) → "file:row"
    rows: dict[tuple[str, str], str] = attrs.field(factory=dict)

    def origin(self, obj: Mapping[str, Any], table: str | None = None) -> str:
        """Where ``obj`` was read (its row, when ``table`` is given and it has an id)."""
        if table is not None and (table, str(obj.get("id"))) in self.rows:
            return self.rows[(table, str(obj.get("id")))]
        return self.origins.get(id(obj), self.source)


def clean(value: Any, dropped: list[int] | None = None) -> Any:
    """``value`` without missing values (``""``, ``"null"``, JSON null) at any depth.

    Phones without a number (HSDS requires one) are left out too; their count is added to
    ``dropped`` when given.
    """
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            cleaned = clean(item, dropped)
            if cleaned is None or cleaned == [] or cleaned == {}:  # noqa: PLR1714 - fast path
                continue
            if key == "phones" and type(cleaned) is list:
                kept = [p for p in cleaned if not isinstance(p, dict) or p.get("number")]
                if len(kept) < len(cleaned) and dropped is not None:
                    dropped.append(len(cleaned) - len(kept))
                if not kept:
                    continue
                cleaned = kept
            out[str(key)] = cleaned
        return out
    if isinstance(value, list):
        return [c for c in (clean(v, dropped) for v in value) if c is not None]
    if isinstance(value, str):
        return None if value.strip() in MISSING else value
    return value


def _number(text: Any) -> Any:
    try:
        value = float(str(text).strip())
    except ValueError:
        return text  # kept as written; the mapping reports what it cannot use
    return int(value) if value.is_integer() and "." not in str(text) else value


def read_hsds(path: Path) -> HsdsData:
    """Read ``path``: a JSON/ndjson file or a directory of CSV files.

    :raises HsdsReadError: the source cannot be read at all.
    """
    if path.is_dir():
        return _read_tabular(path)
    if not path.exists():
        raise HsdsReadError(f"{path}: no such file or directory")
    return _read_json(path)


# --------------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------------


def _hook(dropped: list[int]) -> Any:
    """A ``json.loads`` object hook that cleans each object as it is read (the parser walks
    the document once, in C): the same as :func:`clean`, much faster."""

    def hook(obj: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in obj.items():
            if value is None or value == [] or value == {}:  # noqa: PLR1714 - fast path
                continue
            if type(value) is str:
                if value.strip() in MISSING:
                    continue
                out[key] = value
            elif type(value) is list:
                items = [v for v in value if not (type(v) is str and v.strip() in MISSING)
                         and v is not None and v != {}]
                if key == "phones":
                    kept = [p for p in items if type(p) is not dict or p.get("number")]
                    if len(kept) < len(items):
                        dropped.append(len(items) - len(kept))
                    items = kept
                if items:
                    out[key] = items
            else:
                out[key] = value
        return out

    return hook


def _json_objects(path: Path, data: HsdsData, dropped: list[int]
                  ) -> Iterator[tuple[int, Any]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise HsdsReadError(f"{path}: cannot read: {exc}") from exc
    hook = _hook(dropped)
    try:
        document = json.loads(text, object_hook=hook)
    except json.JSONDecodeError as first:
        lines = text.splitlines()
        head = next((line for line in lines if line.strip()), "")
        try:
            json.loads(head)
        except json.JSONDecodeError:  # not ndjson either: one broken document
            raise HsdsReadError(f"{path}:{first.lineno}:{first.colno}: not valid JSON: "
                                f"{first.msg}") from first
        problems = []
        for number, line in enumerate(lines, 1):  # ndjson: one object a line
            if not line.strip():
                continue
            try:
                yield number, json.loads(line, object_hook=hook)
            except json.JSONDecodeError as exc:
                problems.append(f"{path}:{number}: not valid JSON: {exc.msg}")
        if problems:
            raise HsdsReadError("\n".join(problems)) from first
        return
    if isinstance(document, Mapping) and isinstance(document.get("contents"), list):
        items = document["contents"]
    elif isinstance(document, list):
        items = document
    else:
        items = [document]
    yield from enumerate(items, 1)


def _read_json(path: Path) -> HsdsData:
    data = HsdsData(str(path))
    organizations: dict[str, dict[str, Any]] = {}
    dropped: list[int] = []
    for number, obj in _json_objects(path, data, dropped):
        where = f"{path}:{number}"
        if not isinstance(obj, dict):
            data.warnings.append(f"{where}: skipped: not an HSDS object")
            continue
        kind = _kind(obj)
        if kind == "organization":
            services = obj.pop("services", [])
            org_id = str(obj.get("id", f"organization-{number}"))
            organizations.setdefault(org_id, obj)
            data.origins[id(obj)] = where
            for service in services if isinstance(services, list) else []:
                if isinstance(service, dict):
                    service.setdefault("organization_id", org_id)
                    service.setdefault("organization", obj)
                    data.services.append(service)
                    data.origins[id(service)] = where
        elif kind == "service_at_location":
            service = obj.pop("service", None)
            if not isinstance(service, dict):
                data.warnings.append(f"{where}: skipped: a service_at_location without its "
                                     "service")
                continue
            service.setdefault("service_at_locations", []).append(obj)
            data.services.append(service)
            data.origins[id(service)] = where
        else:
            data.services.append(obj)
            data.origins[id(obj)] = where
    if dropped:
        data.warnings.append(f"{path}: {sum(dropped)} phone(s) without a number left out "
                             "(HSDS requires one)")
    for service in data.services:
        org = service.get("organization")
        if isinstance(org, dict) and org.get("id"):
            organizations.setdefault(str(org["id"]), org)
    for service in data.services:  # an organisation given beside its services, by id
        if not isinstance(service.get("organization"), dict) and \
                str(service.get("organization_id")) in organizations:
            service["organization"] = organizations[str(service["organization_id"])]
    known = {str(s.get("organization_id") or "") for s in data.services}
    data.organizations = [o for i, o in organizations.items() if i not in known]
    data.counts = {"service": len(data.services), "organization": len(organizations),
                   "schedule": sum(len(_schedules_in(s)) for s in data.services)}
    return data


def _kind(obj: Mapping[str, Any]) -> str:
    if isinstance(obj.get("service"), Mapping) and ("location" in obj or "location_id" in obj):
        return "service_at_location"
    if "services" in obj or ("organization_id" not in obj and "status" not in obj
                             and "organization" not in obj and "website" in obj):
        return "organization"
    if {"status", "organization", "organization_id", "service_at_locations",
            "schedules"} & obj.keys():
        return "service"
    return "organization" if "name" in obj and "description" in obj else "service"


def _schedules_in(service: Mapping[str, Any]) -> set[str]:
    """The ids (or positions) of all schedules of a service, wherever they are nested."""
    found: set[str] = set()

    def add(items: Any, where: str) -> None:
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, Mapping):
                found.add(str(item.get("id") or f"{where}#{index}"))

    add(service.get("schedules"), "service")
    for n, at in enumerate(service.get("service_at_locations") or []):
        if isinstance(at, Mapping):
            add(at.get("schedules"), f"sal{n}")
            place = at.get("location")
            if isinstance(place, Mapping):
                add(place.get("schedules"), f"loc{n}")
    return found


# --------------------------------------------------------------------------------------------
# Tabular
# --------------------------------------------------------------------------------------------


def _read_csv(path: Path, table: str, data: HsdsData,
              rows_at: dict[tuple[str, str], str]) -> list[dict[str, Any]]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise HsdsReadError(f"{path}: cannot read: {exc.strerror}") from exc
    rows: list[dict[str, Any]] = []
    with handle:
        reader = csv.DictReader(handle)
        line = 1
        try:
            for raw in reader:
                start = line + 1
                line = reader.line_num
                row = {k.strip(): v for k, v in raw.items()
                       if isinstance(k, str) and isinstance(v, str)}
                row = clean(row)
                if not row:
                    continue
                for key in NUMBERS & row.keys():
                    row[key] = _number(row[key])
                if not row.get("id"):
                    row["id"] = f"{table}-row{start}"
                rows_at[(table, str(row["id"]))] = f"{path}:{start}"
                rows.append(row)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise HsdsReadError(f"{path}:{reader.line_num}: cannot read: {exc}") from exc
    data.counts[table] = data.counts.get(table, 0) + len(rows)
    return rows


def _read_tabular(directory: Path) -> HsdsData:
    data = HsdsData(str(directory))
    package: dict[str, Any] = {}
    files: dict[str, Path] = {}
    package_path = directory / "datapackage.json"
    if package_path.exists():
        try:
            package = json.loads(package_path.read_text(encoding="utf-8-sig"))
        except (OSError, json.JSONDecodeError) as exc:
            raise HsdsReadError(f"{package_path}: not valid JSON: {exc}") from exc
        for resource in package.get("resources", []):
            if isinstance(resource, Mapping) and resource.get("path"):
                files[str(resource.get("name"))] = directory / str(resource["path"])
    for path in sorted(directory.glob("*.csv")):
        name = _FILE_TABLE.get(path.name) or _V1_FILES.get(path.name)
        if name is None:
            data.warnings.append(f"{path}: skipped: not an HSDS table")
            continue
        files.setdefault(name, path)
    if not files:
        raise HsdsReadError(f"{directory}: no HSDS tables (CSV files or a datapackage.json)")
    rows_at = data.rows
    raw: dict[str, list[dict[str, Any]]] = {}
    for name, path in files.items():
        if not path.exists():
            data.warnings.append(f"{package_path}: resource {name!r}: file {path.name} missing")
            continue
        table = _V1_FILES.get(path.name, name)
        rows = _read_csv(path, table, data, rows_at)
        if table == "phone":
            for row in rows:
                if not row.get("number"):
                    data.warnings.append(f"{rows_at[('phone', str(row['id']))]}: phone without "
                                         "a number left out (HSDS requires one)")
            rows = [row for row in rows if row.get("number")]
        raw.setdefault(table, []).extend(rows)
    if any(path.name in _V1_FILES and path.name not in _FILE_TABLE
           for path in files.values()):
        data.version = "1.x"
        _adapt_v1(raw, rows_at, data)
    tables: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in TABLES}
    for name in TABLES:
        for row in raw.get(name, []):
            tables[name].setdefault(str(row["id"]), row)
    for name, rows in raw.items():
        if name in TABLES and len(rows) != len(tables[name]):
            data.warnings.append(f"{files.get(name, directory)}: "
                                 f"{len(rows) - len(tables[name])} rows repeat an id; the "
                                 "first of each is used")
    extensions = package.get(EXTENSIONS_KEY) if isinstance(package, Mapping) else None
    for table, by_id in (extensions.items() if isinstance(extensions, Mapping) else ()):
        for ident, fields in by_id.items() if isinstance(by_id, Mapping) else ():
            found = tables.get(table, {}).get(str(ident))
            if found is None or not isinstance(fields, Mapping):
                continue
            for key, value in fields.items():
                if key.startswith("x_dangling_"):
                    found.setdefault(key.removeprefix("x_dangling_"), value)
    _check_references(tables, rows_at, data)
    timezone = package.get("x_tzid")
    data.timezone = timezone if isinstance(timezone, str) else None
    data.services = nest(tables, extensions if isinstance(extensions, Mapping) else None)
    for service in data.services:
        data.origins[id(service)] = rows_at.get(("service", str(service["id"])), str(directory))
        for schedule in service.get("schedules", []):
            data.origins[id(schedule)] = rows_at.get(("schedule", str(schedule["id"])), "")
    used = {str(s.get("organization_id")) for s in data.services}
    data.organizations = [
        nest(tables, extensions if isinstance(extensions, Mapping) else None,
             table="organization")[i]
        for i, org_id in enumerate(tables["organization"]) if org_id not in used]
    for org in data.organizations:
        data.origins[id(org)] = rows_at.get(("organization", str(org["id"])), "")
    _collect_orphans(tables, extensions, rows_at, data)
    data.counts["schedule"] = len(tables["schedule"])
    return data


def _check_references(tables: Mapping[str, Mapping[str, Mapping[str, Any]]],
                      rows_at: Mapping[tuple[str, str], str], data: HsdsData) -> None:
    """List every foreign key that points at no row (a warning each, with file and row)."""
    links: list[tuple[str, str, str]] = [
        (child, column, parent) for (parent, _), (child, column) in CHILDREN.items()
        if column != "link_id"]
    links += [(parent, column, target) for (parent, _), (target, column) in REFERENCES.items()]
    seen: set[tuple[str, str, str]] = set()
    for table, column, target in links:
        if (table, column, target) in seen or target not in tables:
            continue
        seen.add((table, column, target))
        for ident, row in tables.get(table, {}).items():
            value = row.get(column)
            if value and str(value) not in tables[target]:
                filename = TABLES[target][0]
                data.dangling.append(f"{rows_at.get((table, ident), table)}: {column} "
                                     f"{value!r} points at no row of {filename}")


def _collect_orphans(tables: Mapping[str, Mapping[str, Mapping[str, Any]]],
                     extensions: Any, rows_at: Mapping[tuple[str, str], str],
                     data: HsdsData) -> None:
    """``service_at_location`` rows whose service is missing (or not named), nested, by the
    missing id (``location-<id>`` where none is named): the import keeps their locations and
    schedules on placeholder offers, so that no schedule is lost."""
    services = tables.get("service", {})
    lonely = {i: r for i, r in tables.get("service_at_location", {}).items()
              if str(r.get("service_id") or "") not in services}
    lonely_schedules = {i: r for i, r in tables.get("schedule", {}).items()
                        if r.get("service_id") and str(r["service_id"]) not in services}
    if not lonely and not lonely_schedules:
        return
    sub = {k: dict(v) for k, v in tables.items()}
    sub["service_at_location"] = lonely
    for at in nest(sub, extensions if isinstance(extensions, Mapping) else None,
                   table="service_at_location"):
        where = rows_at.get(("service_at_location", str(at["id"])), "")
        key = str(at.get("service_id") or f"location-{at.get('location_id')}")
        if not at.get("service_id"):
            data.dangling.append(f"{where}: service_at_location names no service_id")
        data.orphans.setdefault(key, []).append(at)
        data.origins[id(at)] = where
    for ident, schedule in lonely_schedules.items():
        holder = {"id": f"{ident}-holder", "service_id": schedule["service_id"],
                  "schedules": [dict(schedule)]}
        data.orphans.setdefault(str(schedule["service_id"]), []).append(holder)
        data.origins[id(holder)] = rows_at.get(("schedule", ident), "")


# --------------------------------------------------------------------------------------------
# HSDS 1.x
# --------------------------------------------------------------------------------------------


def _adapt_v1(raw: dict[str, list[dict[str, Any]]], rows_at: dict[tuple[str, str], str],
              data: HsdsData) -> None:
    """HSDS 1.x tables in the shape of 3.0 ones (in place)."""
    for org in raw.get("organization", []):
        if "url" in org and "website" not in org:
            org["website"] = org.pop("url")
    schedules = raw.setdefault("schedule", [])
    for row in raw.pop("regular_schedule", []):
        where = rows_at.get(("regular_schedule", str(row["id"])), "")
        weekday = str(row.pop("weekday", "")).strip().lower()
        day = WEEKDAYS.get(weekday)
        if day is None:
            row["x_hsds1_weekday"] = weekday
            data.warnings.append(f"{where}: weekday {weekday!r} not understood; the schedule "
                                 "is kept without a day")
        else:
            row.setdefault("freq", "WEEKLY")
            row.setdefault("byday", day)
        row["x_hsds1_table"] = "regular_schedules"
        rows_at[("schedule", str(row["id"]))] = where
        schedules.append(row)
    for row in raw.pop("holiday_schedule", []):
        where = rows_at.get(("holiday_schedule", str(row["id"])), "")
        row["x_hsds1_table"] = "holiday_schedules"
        if row.get("start_date"):
            row["dtstart"] = row.pop("start_date")
        if row.get("end_date"):
            row["until"] = row.pop("end_date")
        rows_at[("schedule", str(row["id"]))] = where
        schedules.append(row)
    addresses = raw.setdefault("address", [])
    organizations = {str(o["id"]): o for o in raw.get("organization", [])}
    for table, kind in (("physical_address", "physical"), ("postal_address", "postal")):
        for row in raw.pop(table, []):
            row.setdefault("address_type", kind)
            where = rows_at.get((table, str(row["id"])), "")
            owner = str(row.get("organization_id") or "")
            if not row.get("location_id") and owner:
                # 1.x tied addresses to organisations too; 3.0 only to locations
                if owner in organizations:
                    organizations[owner].setdefault("x_hsds1_addresses", []).append(
                        {k: v for k, v in row.items() if k != "organization_id"})
                else:
                    data.dangling.append(f"{where}: organization_id {owner!r} points at no "
                                         "row of organizations.csv")
                continue
            rows_at[("address", str(row["id"]))] = where
            addresses.append(row)
    terms = raw.setdefault("taxonomy_term", [])
    for row in raw.pop("taxonomy_v1", []):
        if row.get("vocabulary"):
            row["taxonomy"] = row.pop("vocabulary")
        rows_at[("taxonomy_term", str(row["id"]))] = rows_at.get(("taxonomy_v1",
                                                                  str(row["id"])), "")
        terms.append(row)
    attributes = raw.setdefault("attribute", [])
    for row in raw.pop("service_taxonomy", []):
        attributes.append({"id": row["id"], "link_id": row.get("service_id"),
                           "link_entity": "service",
                           "taxonomy_term_id": row.get("taxonomy_id"),
                           **{k: v for k, v in row.items()
                              if k not in ("id", "service_id", "taxonomy_id")}})
    for row in raw.get("language", []):
        if "language" in row and "name" not in row and "code" not in row:
            row["name"] = row.pop("language")
    for row in raw.get("accessibility", []):
        if "accessibility" in row and "description" not in row:
            row["description"] = row.pop("accessibility")
    for row in raw.get("service_area", []):
        if "service_area" in row and "name" not in row:
            row["name"] = row.pop("service_area")
    by_service: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for table in ("eligibility", "payment_accepted"):
        for row in raw.pop(table, []):
            owner = str(row.get("service_id") or "")
            data.warnings.append(f"{rows_at.get((table, str(row['id'])), table)}: kept on the "
                                 f"service as x_hsds1_{table} (no HSDS 3.0 table)")
            by_service.setdefault(owner, []).append((table, row))
    for service in raw.get("service", []):
        for table, row in by_service.get(str(service["id"]), []):
            service.setdefault(f"x_hsds1_{table}", []).append(
                {k: v for k, v in row.items() if k != "service_id"})


def iter_schedules(service: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    """Every schedule of a service, each once: its own, its service_at_locations' and their
    locations'."""
    seen: set[str] = set()
    groups: list[Any] = [service.get("schedules")]
    for at in service.get("service_at_locations") or []:
        if isinstance(at, Mapping):
            groups.append(at.get("schedules"))
            place = at.get("location")
            if isinstance(place, Mapping):
                groups.append(place.get("schedules"))
    for group in groups:
        for item in group if isinstance(group, list) else []:
            if not isinstance(item, Mapping):
                continue
            key = str(item.get("id") or id(item))
            if key not in seen:
                seen.add(key)
                yield item
