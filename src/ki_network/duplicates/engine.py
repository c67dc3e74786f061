"""Scoring candidate pairs into bands, the report, and the incremental index.

Two questions, never confused:

* **same** — one real offer recorded twice.  Needs evidence of one source (the same provider,
  the provider of one a partner of the other, or the same phone or e-mail), a high score, and
  no veto.  Uncertain candidates land in **review**.
* **overlap** — *different* providers offering the same thing (topic) to the same people
  (target groups) at the same place (municipality) and time (schedules meet): a coordination
  opportunity, not a data error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from rapidfuzz import fuzz, process

from ..build import Decision
from ..contracts import DuplicateSignal
from ..model import Offer, Visibility
from .blocking import Blocking, candidate_pairs
from .features import Features, FloatArray, IntArray, OfferKey, Vocab, offer_key, offer_keys
from .signals import BUILTIN_SIGNALS, VETOES, BuiltinSignal, Veto

if TYPE_CHECKING:
    from ..network import Network

BANDS = ("same", "review", "overlap")
CHUNK = 1_000_000  # candidate pairs scored at once


@attrs.frozen
class Thresholds:
    """Where the bands begin (scores in [0, 1]).

    ``same_title``: the least title similarity for ``same`` and ``review``;
    ``overlap_title``: for an overlap when one of the two has no schedule to compare.
    """

    same: float = 0.80
    review: float = 0.66
    same_title: float = 0.70
    overlap: float = 0.60
    overlap_title: float = 0.75


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
        return [p for p in self.pairs if p.band == name]

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


def _verb(value: float) -> str:
    if value >= 0.8:
        return "agrees"
    return "partly agrees" if value >= 0.5 else "differs"


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
        overlap = (~identity & ~overlap_veto & ~same & ~review
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
            reasons.append("titles in different languages: check whether one translates the "
                           "other")
        if band == "overlap":
            reasons.append(f"different providers ({a.provider}, {b.provider}) offer the same "
                           "thing to the same people at the same place and time")
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
            reasons.append(f"{signal.name} {_verb(value)} ({round(value * 100)}%): {detail}")
        for name, (value, text) in extra.items():
            values[name] = round(value, 3)
            reasons.append(f"{name} {_verb(value)} ({round(value * 100)}%): {text}")
        return Pair(ka.id, kb.id, round(min(max(score, 0.0), 1.0), 4), band, tuple(reasons),
                    values)


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
            reason = f"confirmed by a person{f' ({who})' if who else ''}{note}"
            result.append(attrs.evolve(pair, band="same", reasons=(reason, *pair.reasons),
                                       decision=decision))
    return result


def _sort_key(pair: Pair) -> tuple[int, float, str, str]:
    return BANDS.index(pair.band), -pair.score, pair.a, pair.b


class DuplicateIndex:
    """Offers normalised once, with their blocks, to check new or changed offers quickly.

    Build it once (O(n)); :meth:`match` then costs about the size of the offer's blocks, not
    the size of the network — the way a municipal tool checks an offer as it is entered.

    >>> from ki_network.testing import tiny_network
    >>> from ki_network.model import Offer
    >>> net = tiny_network()
    >>> index = DuplicateIndex(net)
    >>> new = attrs.evolve(net.offers["cafe-gm"], id="cafe-gm-2", title="Sprach-Café")
    >>> [(p.a, p.b, p.band) for p in index.match(new)]
    [('cafe-gm-2', 'cafe-gm', 'same')]
    """

    def __init__(self, network: Network | None = None, offers: Iterable[Offer] | None = None,
                 *, thresholds: Thresholds | None = None, block_cap: int = 64,
                 signals: Sequence[DuplicateSignal] | None = None) -> None:
        self.network = network
        extra = signals if signals is not None else (
            network.hooks.duplicate_signals() if network is not None else [])
        self.matcher = Matcher(thresholds or Thresholds(), extra=extra, network=network)
        self.vocab = Vocab()
        self.block_cap = block_cap
        self.offers: dict[str, Offer] = {}
        self.keys: dict[str, OfferKey] = {}
        self.blocks: dict[tuple[str, Any], dict[str, None]] = {}
        self.decisions = list(network.decisions) if network is not None else []
        for offer in network.offers.values() if offers is None and network else offers or ():
            self.add(offer)

    def __len__(self) -> int:
        return len(self.offers)

    def _key(self, offer: Offer) -> OfferKey:
        ancestors = self.network.topic_ancestors if self.network is not None else None
        language = self.network.config.language if self.network is not None else "de"
        return offer_key(offer, self.vocab, ancestors, language)

    @staticmethod
    def _block_keys(key: OfferKey) -> list[tuple[str, Any]]:
        keys: list[tuple[str, Any]] = []
        if key.municipality >= 0 and key.family >= 0:
            keys.append(("place", (key.municipality, key.family)))
        keys.extend(("word", w) for t in key.titles for w in t.split() if len(w) > 2)
        keys.extend((kind, code) for kind, code in (("phone", key.phone), ("email", key.email),
                                                    ("provider", key.provider)) if code >= 0)
        return keys

    def add(self, offer: Offer) -> None:
        """Add an offer, or replace the one with its id (a changed offer)."""
        self.remove(offer.id)
        key = self._key(offer)
        self.offers[offer.id], self.keys[offer.id] = offer, key
        for block in self._block_keys(key):
            self.blocks.setdefault(block, {})[offer.id] = None

    def remove(self, offer_id: str) -> None:
        key = self.keys.pop(offer_id, None)
        if key is None:
            return
        del self.offers[offer_id]
        for block in self._block_keys(key):
            self.blocks[block].pop(offer_id, None)

    def candidates(self, offer: Offer, key: OfferKey | None = None) -> list[str]:
        """Ids of indexed offers sharing a block with ``offer`` (large blocks: the closest
        titles only)."""
        key = key or self._key(offer)
        found: dict[str, None] = {}
        # the two rarest words that other offers share (a misspelt word shares none)
        words = [b for b in self._block_keys(key) if b[0] == "word" and self.blocks.get(b)]
        words.sort(key=lambda b: len(self.blocks[b]))
        chosen = [b for b in self._block_keys(key) if b[0] != "word"] + words[:2]
        for block in chosen:
            members = list(self.blocks.get(block, ()))
            if len(members) > self.block_cap:
                titles = [self.keys[m].titles[0] for m in members]
                best = process.extract(key.titles[0], titles, scorer=fuzz.token_sort_ratio,
                                       limit=self.block_cap)
                members = [members[index] for _, _, index in best]
            found.update(dict.fromkeys(members))
        found.pop(offer.id, None)
        return list(found)

    def match(self, offer: Offer, *, decisions: bool = True) -> list[Pair]:
        """Pairs of ``offer`` with indexed offers, best first (``offer`` is always ``a``)."""
        key = self._key(offer)
        others = self.candidates(offer, key)
        if not others:
            return []
        features = Features([key, *(self.keys[o] for o in others)])
        ia = np.zeros(len(others), dtype=np.int64)
        ib = np.arange(1, len(others) + 1, dtype=np.int64)
        offers = {**self.offers, offer.id: offer}
        pairs = self.matcher.score(features, ia, ib, offers)
        if decisions:
            pairs = apply_decisions(pairs, self.decisions)
        return sorted(pairs, key=_sort_key)


def match_offer(source: Network | DuplicateIndex, offer: Offer) -> list[Pair]:
    """Pairs of a new or changed ``offer`` with the offers of ``source``.

    Passing a network builds a :class:`DuplicateIndex` first (linear); keep the index to check
    many offers.
    """
    index = source if isinstance(source, DuplicateIndex) else DuplicateIndex(source)
    return index.match(offer)


def find_duplicates(network: Network, *, only: Iterable[str] | None = None,
                    thresholds: Thresholds | None = None, blocking: Blocking | None = None,
                    signals: Sequence[DuplicateSignal] | None = None,
                    min_score: float = 0.0, decisions: bool = True) -> DuplicateReport:
    """Same, review and overlap pairs among the offers of ``network``.

    ``only``: ids of new or changed offers — just their pairs are computed (with the other
    offers and among themselves), through a :class:`DuplicateIndex`.  ``signals``: extra
    signals (default: those of the network's plugins).  People's decisions are honoured.
    """
    extra = list(signals) if signals is not None else network.hooks.duplicate_signals()
    notes: list[str] = []
    offers = network.offers
    if only is not None:
        wanted = list(dict.fromkeys(only))
        notes.extend(f"{o}: no such offer, not checked" for o in wanted if o not in offers)
        wanted = [o for o in wanted if o in offers]
        index = DuplicateIndex(network, [o for i, o in offers.items() if i not in set(wanted)],
                               thresholds=thresholds, signals=extra)
        pairs: list[Pair] = []
        candidates = 0
        for offer_id in wanted:
            candidates += len(index.candidates(offers[offer_id]))
            pairs.extend(index.match(offers[offer_id], decisions=False))
            index.add(offers[offer_id])
    else:
        keys = offer_keys(list(offers.values()), Vocab(), network.topic_ancestors,
                          network.config.language)
        pairs, candidates = _all_pairs(network, keys, thresholds, blocking, extra, decisions)
    if decisions:
        ignored = [d for d in network.decisions if d.a not in offers or d.b not in offers]
        if network.audience is Visibility.INTERNAL:
            notes.extend(f"decision on {d.a} / {d.b}: not an offer pair, ignored"
                         for d in ignored)
        elif ignored:  # a restricted view must not name the offers it hides
            notes.append(f"{len(ignored)} decision(s) about events or offers not visible to "
                         f"{network.audience.value}, ignored")
        pairs = apply_decisions(pairs, network.decisions)
    pairs = sorted((p for p in pairs if p.score >= min_score or p.decision), key=_sort_key)
    return DuplicateReport(tuple(pairs), clusters_of(pairs), candidates, tuple(notes))


def _all_pairs(network: Network, keys: list[OfferKey],  # noqa: PLR0917
               thresholds: Thresholds | None,
               blocking: Blocking | None, extra: Sequence[DuplicateSignal],
               decisions: bool) -> tuple[list[Pair], int]:
    features = Features(keys)
    ia, ib = candidate_pairs(features, blocking or Blocking())
    candidates = len(ia)
    if decisions and network.decisions:
        # Pairs people decided on are scored even when no block brought them together.
        position = {k.id: i for i, k in enumerate(keys)}
        n = len(keys)
        extra_pairs = [min(position[d.a], position[d.b]) * n + max(position[d.a], position[d.b])
                       for d in network.decisions if d.a in position and d.b in position
                       and d.a != d.b]
        encoded = np.unique(np.concatenate([ia * n + ib,
                                            np.asarray(extra_pairs, dtype=np.int64)]))
        ia, ib = encoded // n, encoded % n
        forced = {frozenset((d.a, d.b)) for d in network.decisions if d.verdict == "same"}
    else:
        forced = set()
    matcher = Matcher(thresholds or Thresholds(), extra=extra, network=network)
    pairs = []
    for start in range(0, len(ia), CHUNK):  # in chunks: a few arrays per pair, not dozens
        pairs.extend(matcher.score(features, ia[start:start + CHUNK], ib[start:start + CHUNK],
                                   network.offers))
    if forced:
        found = {frozenset((p.a, p.b)) for p in pairs}
        missing = [(i, j) for i, j in zip(ia.tolist(), ib.tolist(), strict=True)
                   if frozenset((keys[i].id, keys[j].id)) in forced - found]
        pairs.extend(matcher.describe(features, i, j, network.offers) for i, j in missing)
    return pairs, candidates
