"""The result: scored pairs in bands, clusters of the same offer, and people's decisions applied."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from ..errors import UnknownValueError, check_type
from ..locale import N_
from ..model import Decision
from .reasons import Reason, translated

BANDS = ("same", "review", "overlap")


@attrs.frozen
class Pair:
    """Two offers, how alike they are, and why."""

    a: str
    b: str
    score: float
    band: str
    reasons: tuple[str, ...]
    signals: Mapping[str, float] = attrs.field(factory=dict)
    decision: Decision | None = None

    def as_json(self) -> dict[str, Any]:
        """The pair as in ``ki-network duplicates --format json``."""
        data: dict[str, Any] = {"a": self.a, "b": self.b, "score": self.score,
                                "band": self.band, "reasons": list(self.reasons),
                                "signals": dict(self.signals)}
        if self.decision is not None:
            data["decision"] = self.decision.verdict
        return data


@attrs.frozen
class DuplicateReport:
    """All pairs found, the clusters of ``same`` pairs, and what was left out and why."""

    pairs: tuple[Pair, ...]
    clusters: tuple[tuple[str, ...], ...]
    candidates: int = 0
    notes: tuple[str, ...] = ()

    def band(self, name: str) -> list[Pair]:
        """The pairs of band ``name`` (``same``, ``review`` or ``overlap``).

        Another name raises :class:`~ki_network.errors.UnknownValueError` (a
        ``ValueError``) with a "did you mean".
        """
        check_type("band", "name", name, str)
        if name not in BANDS:
            raise UnknownValueError("band", name, BANDS)
        return [p for p in self.pairs if p.band == name]

    def translated(self, gettext: Callable[[str], str]) -> DuplicateReport:
        """The same report with reasons and notes in the language of ``gettext`` (a
        catalogue's, e.g. ``ki_network.locale.translator("de").gettext``)."""
        pairs = tuple(attrs.evolve(p, reasons=tuple(translated(r, gettext) for r in p.reasons))
                      for p in self.pairs)
        return attrs.evolve(self, pairs=pairs,
                            notes=tuple(translated(n, gettext) for n in self.notes))

    def as_json(self) -> dict[str, Any]:
        """``{"pairs": [...], "clusters": [[ID, ...]]}`` — the documented JSON contract."""
        return {"pairs": [p.as_json() for p in self.pairs],
                "clusters": [list(c) for c in self.clusters],
                "candidates": self.candidates, "notes": list(self.notes)}


def clusters_of(pairs: Iterable[Pair]) -> tuple[tuple[str, ...], ...]:
    """Connected components of the ``same`` pairs, each sorted, largest first."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in pairs:
        if pair.band == "same":
            parent[root(pair.a)] = root(pair.b)
    groups: dict[str, list[str]] = {}
    for member in parent:
        groups.setdefault(root(member), []).append(member)
    return tuple(sorted((tuple(sorted(g)) for g in groups.values() if len(g) > 1),
                        key=lambda g: (-len(g), g)))


def _decision_map(decisions: Iterable[Decision]) -> dict[frozenset[str], Decision]:
    return {frozenset((d.a, d.b)): d for d in decisions}


def apply_decisions(pairs: Iterable[Pair], decisions: Iterable[Decision]) -> list[Pair]:
    """Honour people's decisions: ``distinct`` removes the pair, ``same`` makes it ``same``."""
    decided = _decision_map(decisions)
    result = []
    for pair in pairs:
        decision = decided.get(frozenset((pair.a, pair.b)))
        if decision is None:
            result.append(pair)
        elif decision.verdict == "same":
            note = f": {decision.note}" if decision.note else ""
            who = " ".join(x for x in (decision.by, decision.on and decision.on.isoformat()) if x)
            reason = Reason(N_("confirmed by a person{who}{note}"),
                            who=f" ({who})" if who else "", note=note)
            result.append(attrs.evolve(pair, band="same", reasons=(reason, *pair.reasons),
                                       decision=decision))
    return result


def _sort_key(pair: Pair) -> tuple[int, float, str, str]:
    return BANDS.index(pair.band), -pair.score, pair.a, pair.b
