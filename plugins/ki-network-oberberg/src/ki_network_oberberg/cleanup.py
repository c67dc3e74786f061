"""Clean-up of raw records before ki-network checks them.

Partners write municipalities the way they say them: "GM" for Gummersbach, "Waldbroel"
without umlaut, "Wiehl-Bielstein", "51643 Gummersbach", a village name, or "Oberbergischer
Kreis" for all of them.  These become the municipality's proper name, so the data passes
validation instead of failing on spelling.  Anything not recognised is left as written, and
ki-network then reports it with a "did you mean".

>>> canonical_municipality("Waldbroel"), canonical_municipality("Wiehl-Bielstein")
('Waldbröl', 'Wiehl')
>>> canonical_municipality("Köln") is None
True
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

from .region import municipalities

#: Names the district's partners write for a municipality, by municipality.
_LOCAL_NAMES: dict[str, tuple[str, ...]] = {
    "Gummersbach": ("GM", "GM-Mitte", "Gummersbach-Mitte", "Derschlag", "Dieringhausen",
                    "Niederseßmar", "Niedersessmar"),
    "Waldbröl": ("Waldbroel", "Waldbrol", "Hermesdorf"),
    "Hückeswagen": ("Hueckeswagen", "Huckeswagen"),
    "Nümbrecht": ("Nuembrecht", "Numbrecht"),
    "Wipperfürth": ("Wipperfuerth", "Wipperfurth", "Thier", "Agathaberg"),
    "Radevormwald": ("Rade",),
    "Wiehl": ("Bielstein", "Drabenderhöhe", "Drabenderhoehe"),
    "Reichshof": ("Denklingen", "Eckenhagen", "Wildbergerhütte", "Wildbergerhuette"),
    "Engelskirchen": ("Ründeroth", "Ruenderoth"),
    "Lindlar": ("Frielingsdorf",),
    "Marienheide": ("Müllenbach", "Muellenbach"),
    "Morsbach": ("Holpe",),
    "Bergneustadt": ("Hackenberg",),
}

#: What partners write for "every municipality of the district" in an actor's service area.
_WHOLE_DISTRICT = frozenset({"oberbergischer kreis", "obk", "kreisweit", "oberberg"})

# "51643 Gummersbach" -> "Gummersbach"; "Wiehl-Bielstein", "Wiehl (Bielstein)",
# "Wiehl, OT Bielstein" -> "Wiehl".
_POSTCODE = re.compile(r"^\d{5}\s+")
_QUALIFIED = re.compile(r"^(?P<head>[^-(,/]+?)\s*(?:-|\(|,|/)")


def _index() -> dict[str, str]:
    names = {m.name.casefold(): m.name for m in municipalities()}
    for name, spellings in _LOCAL_NAMES.items():
        names.update((s.casefold(), name) for s in spellings)
    return names


_NAMES = _index()


def canonical_municipality(value: str) -> str | None:
    """The proper name for a way of writing a municipality of the district, else ``None``."""
    text = _POSTCODE.sub("", " ".join(value.split()))
    found = _NAMES.get(text.casefold())
    if found is None and (match := _QUALIFIED.match(text)):
        found = _NAMES.get(match["head"].casefold())
    return found


def _stripped(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        value[:] = [_stripped(v) for v in value]  # in place: the list may be shared
    if isinstance(value, MutableMapping):
        for key, item in value.items():
            value[key] = _stripped(item)
    return value


def _municipality(value: Any) -> Any:
    if not isinstance(value, str) or value.isdigit():
        return value
    return canonical_municipality(value) or value


def normalize(record: MutableMapping[str, Any]) -> None:
    """Trim whitespace and put municipalities in their proper spelling, in place."""
    for key, value in record.items():
        record[key] = _stripped(value)
    if "municipality" in record:
        record["municipality"] = _municipality(record["municipality"])
    served = record.get("municipalities")
    if isinstance(served, list):
        if any(isinstance(v, str) and v.casefold() in _WHOLE_DISTRICT for v in served):
            served[:] = [m.name for m in municipalities()]
        else:
            served[:] = [_municipality(v) for v in served]
