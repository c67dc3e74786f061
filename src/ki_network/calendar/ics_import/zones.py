"""The time zones of a feed: TZIDs as IANA, Windows or Outlook names, a feed's own VTIMEZONEs
matched to the IANA zone with the same transitions, and local and UTC values."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from icalendar.timezone import tzp
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from ...model import DateOrDateTime
from ..zones import transitions

#: TZID → zone, for the VTIMEZONEs of the feed being read whose TZID is no IANA or Windows
#: name (set by :func:`feed_zones`).  icalendar caches such zones process-wide under their
#: TZID, first definition wins — and every Outlook custom zone is "Customized Time Zone" — so
#: the feed's own definition is applied here instead.
_FEED_ZONES: ContextVar[Mapping[str, tuple[tzinfo, str]] | None] = ContextVar(
    "feed_zones", default=None)


_OUTLOOK_DISPLAY = re.compile(r"^\(UTC[^)]*\)\s*(.+)$")


def _zoned(value: Any, params: Mapping[str, Any], notes: list[str], name: str) -> Any:
    """``value`` with the zone its TZID names, where icalendar could not resolve the TZID."""
    tzid = params.get("TZID") if params else None
    custom = (_FEED_ZONES.get() or {}).get(str(tzid)) if tzid else None
    if custom is not None and isinstance(value, datetime):
        if custom[1] not in notes:
            notes.append(custom[1])
        return value.replace(tzinfo=custom[0])
    windows = _windows_zone(str(tzid)) if tzid and isinstance(value, datetime) else None
    if windows is not None:
        # a Windows name is that zone, whatever VTIMEZONE another feed gave icalendar's
        # process-wide cache under the same name
        return value.replace(tzinfo=windows)
    if not tzid or not isinstance(value, datetime) or value.tzinfo is not None:
        return value
    zone = _guess_zone(str(tzid))
    if zone is None:
        notes.append(f"{name}: unknown time zone {tzid!r} and no VTIMEZONE for it: "
                     "taken as local time")
        return value
    notes.append(f"{name}: time zone {tzid!r} read as {zone.key}")
    return value.replace(tzinfo=zone)


@contextmanager
def feed_zones(zones: Mapping[str, tuple[tzinfo, str]]) -> Iterator[None]:
    """Within the block, TZIDs of ``zones`` (see :func:`custom_zone`) resolve to them."""
    token = _FEED_ZONES.set(zones)
    try:
        yield
    finally:
        _FEED_ZONES.reset(token)


#: years over which a custom zone must agree with an IANA zone to be read as that zone
MATCH_YEARS = (2015, 2030)


def custom_zone(component: Any, network: ZoneInfo) -> tuple[tzinfo, str] | None:
    """The zone for a feed's VTIMEZONE whose TZID is no IANA or Windows name, and a note.

    The VTIMEZONE becomes a real zone (icalendar's ``Timezone.to_tz``); if an IANA zone has
    the same offsets and transitions over :data:`MATCH_YEARS` (the network's zone first, then
    one whose city the TZID names), times are read in that IANA zone and a series keeps it
    as its ``tzid`` — so it recurs with the sender's daylight saving, also in the export.
    Otherwise the zone's own rules convert the times.  ``None`` for a TZID icalendar knows.
    """
    tzid = str(component.get("TZID", "")).strip()
    # only exact names: "Pacific Standard Time:" (sic) is this feed's own zone, and whatever
    # icalendar cached under its cleaned name may come from another feed
    if not tzid or tzid in available_timezones() or tzid in WINDOWS_TO_OLSON:
        return None
    try:
        zone = component.to_tz(tzp, lookup_tzid=False)
    except Exception:
        return None
    key = _matching_zone(zone, network.key, tzid)
    first, last = MATCH_YEARS
    if key is not None:
        return ZoneInfo(key), (f"TZID {tzid!r}: this feed's VTIMEZONE has the offsets and "
                               f"transitions of {key} ({first}–{last}); read as {key}")
    return zone, (f"TZID {tzid!r}: this feed's VTIMEZONE matches no IANA zone; its own rules "
                  "convert the times, and a series in it recurs at the network's wall-clock "
                  "time")


@cache
def _matching_zone(zone: tzinfo, prefer: str, tzid: str) -> str | None:
    first, last = MATCH_YEARS
    try:
        changes = transitions(zone, first, last)
        probes = [datetime(year, month, 15, 12, tzinfo=UTC)
                  for year in range(first, last + 1) for month in (1, 7)]
        for change in changes:
            probes += [change.at - timedelta(seconds=1), change.at + timedelta(seconds=1)]
        wanted = [p.astimezone(zone).utcoffset() for p in probes]
    except Exception:
        return None
    words = {w.casefold() for w in re.split(r"[^A-Za-z]+", tzid) if len(w) > 2}
    keys = sorted(available_timezones())
    keys.sort(key=lambda k: (k != prefer, k.rsplit("/", 1)[-1].casefold() not in words,
                             k.startswith("Etc/") == bool(changes), "/" not in k))
    for key in keys:
        candidate = ZoneInfo(key)
        if all(p.astimezone(candidate).utcoffset() == w for p, w in zip(probes, wanted,
                                                                          strict=True)):
            return key
    return None


def _windows_zone(tzid: str) -> ZoneInfo | None:
    key = WINDOWS_TO_OLSON.get(tzid.strip())
    try:
        return ZoneInfo(key) if key else None
    except (ValueError, KeyError):
        return None


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


def _local(value: date, tz: tzinfo) -> DateOrDateTime:
    """Wall-clock time in the network's zone: aware times converted, floating ones kept.

    ``tz`` is :data:`datetime.UTC` for a series anchored in UTC: its times stay aware UTC.
    """
    if isinstance(value, datetime) and value.tzinfo is not None:
        if tz is UTC:
            return value.astimezone(UTC)
        return value.astimezone(tz).replace(tzinfo=None)
    return value


_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Zulu", "Zulu", "Etc/UCT", "UCT"})


def _in_utc(value: date) -> bool:
    """True for a date-time in UTC (``Z``, or a zone that is UTC itself, not London)."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        return False
    return value.tzinfo is UTC or _zone_name(value.tzinfo) in _UTC_NAMES


def sortable(value: DateOrDateTime) -> datetime:
    """A naive date-time to compare and sort by (aware times, of a UTC series, as UTC)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    return datetime.combine(value, datetime.min.time())
