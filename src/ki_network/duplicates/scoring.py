"""Scoring candidate pairs into bands.

Two questions, never confused:

* **same** — one real offer recorded twice.  Needs evidence of one source (the same provider,
  the provider of one a partner of the other, or the same phone or e-mail), a high score, and
  no veto.  Uncertain candidates land in **review**.
* **overlap** — *different* providers offering the same kind of offer (the same topic, or
  sibling topics whose titles agree) to the same people (target groups) in the same
  municipality at the same time (schedules meet): a coordination opportunity, not a data
  error.  Two programmes of one topic family (an integration course and a language café) are
  not an overlap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import attrs
import numpy as np

from ..locale import N_
from ..model import Offer
from ..plugin.contracts import DuplicateSignal
from .features import Features, FloatArray, IntArray, OfferKey
from .reasons import Reason, signal_reason
from .signals import BUILTIN_SIGNALS, SCHEDULE, VETOES, BuiltinSignal, Veto

if TYPE_CHECKING:
    from ..network import Network
from .report import Pair

CHUNK = 1_000_000  # candidate pairs scored at once


@attrs.frozen
class Thresholds:
    """Where the bands begin (scores in [0, 1]).

    ``same_title``: the least title similarity for ``same`` and ``review``;
    ``overlap_title``: for an overlap when one of the two has no schedule to compare;
    ``overlap_kind_title``: the least title similarity for an overlap of two sibling topics
    (different programmes of one family are the same kind of offer only if their titles say
    so).
    """

    same: float = 0.80
    review: float = 0.66
    same_title: float = 0.70
    overlap: float = 0.60
    overlap_title: float = 0.75
    overlap_kind_title: float = 0.80


@attrs.define
class Matcher:
    """Scores pairs of a :class:`Features` table.  Plugin signals join the built-in ones."""

    thresholds: Thresholds = attrs.field(factory=Thresholds)
    builtin: Sequence[BuiltinSignal] = BUILTIN_SIGNALS
    vetoes: Sequence[Veto] = VETOES
    extra: Sequence[DuplicateSignal] = ()
    network: Network | None = None
    _names: dict[str | None, str] = attrs.field(factory=dict, init=False)

    def score(self, features: Features, ia: IntArray, ib: IntArray,
              offers: Mapping[str, Offer]) -> list[Pair]:
        """Band and explain the pairs ``(ia[n], ib[n])``; pairs in no band are left out."""
        if len(ia) == 0:
            return []
        ia, ib = self._could_make_a_band(features, ia, ib)
        if len(ia) == 0:
            return []
        t = self.thresholds
        sims = {s.name: s.scores(features, ia, ib) for s in self.builtin}
        weights = {s.name: s.weight for s in self.builtin}
        numerator = np.zeros(len(ia))
        denominator = np.zeros(len(ia))
        for name, values in sims.items():
            known = ~np.isnan(values)
            numerator += np.where(known, values * weights[name], 0.0)
            denominator += np.where(known, weights[name], 0.0)
        conflicts = {v.name: v.conflicts(features, ia, ib) for v in self.vetoes}
        any_veto = np.logical_or.reduce(list(conflicts.values()))
        overlap_veto = np.logical_or.reduce([conflicts[v.name] for v in self.vetoes if v.overlap])
        title = np.nan_to_num(sims["title"])
        extra: dict[int, dict[str, tuple[float, str]]] = {}
        if self.extra:
            rough = numerator / np.maximum(denominator, 1e-9)
            for n in np.flatnonzero(~any_veto & (rough >= t.review - 0.2)):
                a, b = offers[features.ids[ia[n]]], offers[features.ids[ib[n]]]
                for signal in self.extra:
                    found = signal.compare(a, b, self.network)  # type: ignore[arg-type]
                    if found is not None:
                        extra.setdefault(int(n), {})[signal.name] = found
                        numerator[n] += found[0] * signal.weight
                        denominator[n] += signal.weight
        score = numerator / np.maximum(denominator, 1e-9)

        provider, contact = sims["provider"], np.nan_to_num(sims["contact"])
        identity = (provider >= 0.8) | (contact >= 1.0)
        location, schedule = np.nan_to_num(sims["location"]), sims["schedule"]
        same = identity & ~any_veto & (score >= t.same) & (title >= t.same_title)
        topic_exact = np.nan_to_num(sims["topic"]) >= 1.0
        meets = np.nan_to_num(schedule) >= 0.9
        place = (location >= 0.85) | np.isnan(sims["location"])
        # Different providers, the same title at the same place and time: more likely one
        # offer entered twice (the KI entering a partner's offer as its own) than two.
        lookalike = (title >= 0.9) & meets & place
        review = (~same & ~any_veto & (score >= t.review) & (title >= t.same_title)
                  & (identity | lookalike))
        # Titles in two languages (an English import of a German entry) cannot be compared
        # word by word.  One provider cannot run two offers on one topic in one place at one
        # time, so with the same provider that is the same offer; with a weaker tie, a review.
        translated = ((features.title_languages[ia] & features.title_languages[ib]) == 0)
        translated &= (~same & ~any_veto & identity & (title < t.same_title) & topic_exact
                       & meets & (score >= t.review - 0.1))
        same |= translated & (provider >= 1.0) & (location >= 0.85)
        review |= translated & ~same
        overlap_score = self._overlap_score(sims)
        # The same kind of offer: the same topic, one topic the other's ancestor (an offer
        # tagged with the family only), or sibling topics whose titles say the same.
        ta, tb = features.topic[ia], features.topic[ib]
        kind = ((ta == tb) | (ta == features.parent[ib]) | (ta == features.family[ib])
                | (tb == features.parent[ia]) | (tb == features.family[ia])
                | (title >= t.overlap_kind_title))
        overlap = (~identity & ~overlap_veto & ~same & ~review & kind
                   & (features.municipality[ia] == features.municipality[ib])
                   & (features.municipality[ia] >= 0)
                   & (features.family[ia] == features.family[ib]) & (features.family[ia] >= 0)
                   & (np.nan_to_num(sims["target_groups"], nan=1.0) > 0)
                   & (np.nan_to_num(schedule) > 0) & (overlap_score >= t.overlap))

        return [self._pair(features, (int(ia[n]), int(ib[n])), int(n), band, float(values[n]),
                           sims, extra.get(int(n), {}), offers)
                for band, selected, values in (("same", same, score), ("review", review, score),
                                               ("overlap", overlap, overlap_score))
                for n in np.flatnonzero(selected)]

    def _municipality_name(self, ags: str | None) -> str:
        if ags not in self._names:
            self._names[ags] = (self.network.municipality_name(ags) if self.network
                                else ags or "")
        return self._names[ags]

    def describe(self, features: Features, i: int, j: int, offers: Mapping[str, Offer],
                 band: str = "same") -> Pair:
        """Rows ``i`` and ``j`` as a pair in ``band`` whatever their score, with all reasons
        (for pairs a person decided on that the matcher would not have paired)."""
        ia, ib = np.array([i], dtype=np.int64), np.array([j], dtype=np.int64)
        sims = {s.name: s.scores(features, ia, ib) for s in self.builtin}
        known = [(float(v[0]), s.weight) for s in self.builtin
                 if not np.isnan(v := sims[s.name])[0]]
        score = sum(v * w for v, w in known) / max(sum(w for _, w in known), 1e-9)
        return self._pair(features, (i, j), 0, band, score, sims, {}, offers)

    def _could_make_a_band(self, features: Features, ia: IntArray,
                           ib: IntArray) -> tuple[IntArray, IntArray]:
        """The pairs worth comparing text for, by the integer signals alone: same and review
        need one source or the same time, overlap needs place, topic family, people and time.
        Most candidate pairs of a big network fail both, and text is the costly part."""
        cheap = {s.name: s.scores(features, ia, ib) for s in self.builtin if not s.text}
        conflicts = {v.name: v.conflicts(features, ia, ib) for v in self.vetoes}
        any_veto = np.logical_or.reduce(list(conflicts.values()))
        overlap_veto = np.logical_or.reduce([conflicts[v.name] for v in self.vetoes if v.overlap])
        schedule = np.nan_to_num(cheap["schedule"], nan=1.0)
        identity = (cheap["provider"] >= 0.8) | (np.nan_to_num(cheap["contact"]) >= 1.0)
        alike = ~any_veto & (identity | (schedule >= 0.9))
        overlap = (~identity & ~overlap_veto & (schedule > 0)
                   & (features.municipality[ia] == features.municipality[ib])
                   & (features.family[ia] == features.family[ib]))
        keep = alike | overlap | bool(self.extra)
        return ia[keep], ib[keep]

    def _overlap_reason(self, a: Offer, b: Offer, ka: OfferKey, kb: OfferKey,  # noqa: PLR0917
                        n: int, sims: Mapping[str, FloatArray]) -> Reason:
        """What agreed, exactly: the kind of offer, the people, the municipality, the place
        (only when the addresses agree) and the time."""
        if a.topic == b.topic:
            kind = Reason(N_("the same kind of offer ({topic})"), topic=a.topic)
        elif ka.topic in (kb.parent, kb.family) or kb.topic in (ka.parent, ka.family):
            kind = Reason(N_("the same kind of offer ({a} / {b})"), a=a.topic, b=b.topic)
        else:
            kind = Reason(N_("offers whose titles say they are the same kind ({a} / {b})"),
                          a=a.topic, b=b.topic)
        groups = [g for g in a.target_groups if g in b.target_groups]
        people = Reason(N_("to the same people ({groups})"), groups=", ".join(groups)) \
            if groups else Reason(N_("to the same people"))
        place = self._municipality_name(a.municipality)
        location = float(sims["location"][n])
        if not np.isnan(location) and location >= 0.85:
            where = Reason(N_("in {place}, at the same place"), place=place)
        elif not np.isnan(location):
            where = Reason(N_("in {place}, at different places"), place=place)
        else:
            where = Reason(N_("in {place}"), place=place)
        return Reason(N_("different providers ({a}, {b}) offer {kind} {people} {where}, at the "
                         "same time ({when})"), a=a.provider, b=b.provider, kind=kind,
                      people=people, where=where, when=SCHEDULE.explain(a, b, ka, kb))

    @staticmethod
    def _overlap_score(sims: Mapping[str, FloatArray]) -> FloatArray:
        parts = (("topic", 2.0), ("target_groups", 1.0), ("schedule", 1.5), ("title", 1.0),
                 ("location", 0.5), ("languages", 0.5))
        numerator = sum((np.nan_to_num(sims[name]) * w for name, w in parts),
                        start=np.zeros(len(sims["title"])))
        denominator = sum((np.where(np.isnan(sims[name]), 0.0, w) for name, w in parts),
                          start=np.zeros(len(sims["title"])))
        result: FloatArray = numerator / np.maximum(denominator, 1e-9)
        return result

    def _pair(self, features: Features, rows: tuple[int, int], n: int,  # noqa: PLR0917
              band: str, score: float, sims: Mapping[str, FloatArray],
              extra: Mapping[str, tuple[float, str]], offers: Mapping[str, Offer]) -> Pair:
        ka, kb = features.keys[rows[0]], features.keys[rows[1]]
        a, b = offers[ka.id], offers[kb.id]
        reasons = []
        if (band != "overlap" and not ka.title_languages & kb.title_languages
                and sims["title"][n] < self.thresholds.same_title):
            reasons.append(Reason(N_("titles in different languages: check whether one "
                                     "translates the other")))
        if band == "overlap":
            reasons.append(self._overlap_reason(a, b, ka, kb, n, sims))
        values: dict[str, float] = {}
        for signal in self.builtin:
            value = float(sims[signal.name][n])
            if np.isnan(value):
                continue
            values[signal.name] = round(value, 3)
            detail = signal.explain(a, b, ka, kb)
            if signal.name == "municipality" and self.network is not None:
                names = {self._municipality_name(m) for m in (a.municipality, b.municipality)}
                detail = " ≠ ".join(sorted(names))  # names, not AGS codes, for people
            reasons.append(signal_reason(signal.name, value, detail))
        for name, (value, text) in extra.items():
            values[name] = round(value, 3)
            reasons.append(signal_reason(name, value, text))
        return Pair(ka.id, kb.id, round(min(max(score, 0.0), 1.0), 4), band, tuple(reasons),
                    values)
