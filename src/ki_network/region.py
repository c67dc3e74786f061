"""A region: the municipalities a network may name, by name or AGS code."""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from .errors import did_you_mean, name_key, suggest
from .model import Municipality

__all__ = ["AGS_PATTERN", "Region", "did_you_mean", "suggest"]

AGS_PATTERN = re.compile(r"^\d{8}$")


def _municipalities(values: Iterable[Municipality]) -> tuple[Municipality, ...]:
    return tuple(values)


@attrs.frozen
class Region:
    """The municipalities of a region pack; ``name=None`` for a network without a region.

    Without a region, any well-formed 8-digit AGS code is accepted (and names are not).

    >>> region = Region("demo", (Municipality("05374012", "Gummersbach"),))
    >>> region.resolve("gummersbach").ags, region.resolve("05374012").name
    ('05374012', 'Gummersbach')
    >>> Region(None, ()).resolve("05374012").name
    '05374012'
    """

    name: str | None
    municipalities: tuple[Municipality, ...] = attrs.field(converter=_municipalities)
    _by_key: dict[str, Municipality] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        index: dict[str, Municipality] = {}
        for m in self.municipalities:
            index[m.ags] = m
            index[name_key(m.name)] = m
        object.__setattr__(self, "_by_key", index)

    def resolve(self, reference: str) -> Municipality | None:
        """The municipality named by ``reference`` (name, any case, or AGS), else ``None``."""
        found = self._by_key.get(reference) or self._by_key.get(name_key(reference))
        if found is None and not self.municipalities and AGS_PATTERN.match(reference):
            return Municipality(reference, reference)
        return found

    def get(self, ags: str) -> Municipality:
        """The municipality with AGS ``ags`` (a placeholder named by its code if unknown)."""
        return self._by_key.get(ags) or Municipality(ags, ags)

    def suggest(self, reference: str, limit: int = 2) -> list[str]:
        """Names close to a misspelt ``reference``."""
        return suggest(reference, (m.name for m in self.municipalities), limit)
