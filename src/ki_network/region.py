"""A region: the municipalities a network may name, by name or AGS code."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import attrs
from rapidfuzz import process

from .model import Municipality

AGS_PATTERN = re.compile(r"^\d{8}$")


def _key(name: str) -> str:
    """One key for one spelling: composed umlauts (NFC, as macOS may paste them decomposed), any
    case."""
    return unicodedata.normalize("NFC", name).casefold()


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
            index[_key(m.name)] = m
        object.__setattr__(self, "_by_key", index)

    def resolve(self, reference: str) -> Municipality | None:
        """The municipality named by ``reference`` (name, any case, or AGS), else ``None``."""
        found = self._by_key.get(reference) or self._by_key.get(_key(reference))
        if found is None and not self.municipalities and AGS_PATTERN.match(reference):
            return Municipality(reference, reference)
        return found

    def get(self, ags: str) -> Municipality:
        """The municipality with AGS ``ags`` (a placeholder named by its code if unknown)."""
        return self._by_key.get(ags) or Municipality(ags, ags)

    def suggest(self, reference: str, limit: int = 2) -> list[str]:
        """Names close to a misspelt ``reference``."""
        return suggest(reference, (m.name for m in self.municipalities), limit)


def suggest(word: str, choices: Iterable[str], limit: int = 2, cutoff: float = 80) -> list[str]:
    """Up to ``limit`` of ``choices`` that look like ``word`` (for "did you mean ...")."""
    # compared without case and accents' composition, as resolving names compares them
    found = process.extract(word, list(choices), limit=limit, score_cutoff=cutoff,
                            processor=_key)
    return [choice for choice, _, _ in found]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` or an empty string."""
    close = suggest(word, choices)
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"
