"""Finding the duplicate and overlapping offers of a whole network: blocking, then scoring
every candidate pair in chunks (see :mod:`.scoring` for what the bands mean)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..locale import N_
from ..model import Visibility
from ..network import restricted
from ..plugin.contracts import DuplicateSignal
from .blocking import Blocking, candidate_pairs
from .features import Features, OfferKey, Vocab, offer_keys

if TYPE_CHECKING:
    from ..network import Network
from .index import DuplicateIndex
from .reasons import Reason
from .report import DuplicateReport, Pair, _sort_key, apply_decisions, clusters_of
from .scoring import CHUNK, Matcher, Thresholds


def find_duplicates(network: Network, *, only: Iterable[str] | None = None,
                    thresholds: Thresholds | None = None, blocking: Blocking | None = None,
                    signals: Sequence[DuplicateSignal] | None = None,
                    min_score: float = 0.0, decisions: bool = True,
                    audience: Visibility | str = Visibility.PUBLIC) -> DuplicateReport:
    """Same, review and overlap pairs among the offers of ``network``.

    ``only``: ids of new or changed offers — just their pairs are computed (with the other
    offers and among themselves), through a :class:`DuplicateIndex`; an id that is no offer
    raises :class:`~ki_network.errors.UnknownValueError`.  ``signals``: extra signals
    (default: those of the network's plugins).  People's decisions are honoured.

    ``audience``: who will read the pairs and their reasons (which quote titles and contact
    data); default ``public``, ``"internal"`` for the people who keep the data.  Only the
    offers that audience may see are compared (:func:`ki_network.network.restricted`).
    """
    if isinstance(only, str):
        raise TypeError("find_duplicates(): only must be a collection of offer ids, not a str")
    network = restricted(network, audience)
    extra = list(signals) if signals is not None else network.hooks.duplicate_signals()
    notes: list[str] = []
    offers = network.offers
    if only is not None:
        wanted = list(dict.fromkeys(only))
        for offer_id in wanted:
            network.check_known("offer", offer_id)
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
            notes.extend(Reason(N_("decision on {a} / {b}: not an offer pair, ignored"),
                                a=d.a, b=d.b) for d in ignored)
        elif ignored:  # a restricted view must not name the offers it hides
            notes.append(Reason(N_("{count} decision(s) about events or offers not visible to "
                                   "{audience}, ignored"),
                                count=len(ignored), audience=network.audience.value))
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
