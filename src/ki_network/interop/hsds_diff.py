"""What an HSDS record holds that our export of it would not give back: the diff kept under
``hsds:`` so that nothing is lost on a round trip."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .hsds_read import iter_schedules


def _normalized(service: dict[str, Any]) -> dict[str, Any]:
    """The service with every schedule listed under ``schedules`` (each once; those of a
    location carry its ``location_id``)."""
    out = dict(service)
    schedules = []
    for schedule in iter_schedules(service):
        item = dict(schedule)
        schedules.append(item)
    ats = []
    for item in service.get("service_at_locations") or []:
        if not isinstance(item, Mapping):
            continue
        at = dict(item)
        at.pop("schedules", None)
        place = at.get("location")
        if isinstance(place, Mapping):
            place = dict(place)
            for schedule in place.pop("schedules", None) or []:
                if isinstance(schedule, Mapping):
                    for listed in schedules:
                        if listed.get("id") == schedule.get("id") and place.get("id"):
                            listed.setdefault("location_id", place["id"])
            at["location"] = place
        ats.append(at)
    if ats:
        out["service_at_locations"] = ats
    if schedules:
        out["schedules"] = schedules
    return out


def diff(original: Any, exported: Any) -> Any:
    """What ``original`` holds that ``exported`` would not give back (``None``: nothing).

    Mappings are compared key by key; lists of the same length item by item (an item that
    needs nothing is ``{}``); anything else whole.
    """
    if isinstance(original, dict) and isinstance(exported, dict):
        out = {}
        for key, value in original.items():
            if key not in exported:
                out[key] = value
                continue
            rest = diff(value, exported[key])
            if rest is not None:
                out[key] = rest
        return out or None
    if isinstance(original, list | tuple) and isinstance(exported, list | tuple):
        if len(original) == len(exported) and all(isinstance(v, dict) for v in original):
            items = [diff(a, b) or {} for a, b in zip(original, exported, strict=True)]
            return items if any(items) else None
        return None if _same(original, exported) else original
    return None if _same(original, exported) else original


def _same(a: Any, b: Any) -> bool:
    if a == b:
        return True
    if isinstance(a, int | float) and isinstance(b, int | float) and \
            not isinstance(a, bool) and not isinstance(b, bool):
        return float(a) == float(b)
    return bool(a == b)
