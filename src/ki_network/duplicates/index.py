"""An incremental index: check one new offer against a network without scoring it all again."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from rapidfuzz import fuzz, process

from ..model import Offer, Visibility
from ..network import restricted
from ..plugin.contracts import DuplicateSignal
from .features import Features, OfferKey, Vocab, offer_key

if TYPE_CHECKING:
    from ..network import Network
from .report import Pair, _sort_key, apply_decisions
from .scoring import Matcher, Thresholds


class DuplicateIndex:
    """Offers normalised once, with their blocks, to check new or changed offers quickly.

    Build it once (O(n)); :meth:`match` then costs about the size of the offer's blocks, not
    the size of the network — the way a municipal tool checks an offer as it is entered.

    ``audience`` (default ``public``): whose offers are indexed, as the reasons of a match
    quote them (:func:`ki_network.network.restricted`); ``"internal"`` indexes everything.

        >>> from ki_network.testing import tiny_network
        >>> import attrs
        >>> net = tiny_network()
        >>> index = DuplicateIndex(net)
        >>> new = attrs.evolve(net.offers["cafe-gm"], id="cafe-gm-2", title="Sprach-Café")
        >>> [(p.a, p.b, p.band) for p in index.match(new)]
        [('cafe-gm-2', 'cafe-gm', 'same')]
    """

    def __init__(self, network: Network | None = None, offers: Iterable[Offer] | None = None,
                 *, thresholds: Thresholds | None = None, block_cap: int = 64,
                 signals: Sequence[DuplicateSignal] | None = None,
                 audience: Visibility | str = Visibility.PUBLIC) -> None:
        if network is not None:
            view = restricted(network, audience)
            if offers is not None and view is not network:
                offers = [view.offers[o.id] for o in offers if o.id in view.offers]
            network = view
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


def match_offer(source: Network | DuplicateIndex, offer: Offer, *,
                audience: Visibility | str = Visibility.PUBLIC) -> list[Pair]:
    """Pairs of a new or changed ``offer`` with the offers of ``source`` (a network's offers
    that ``audience`` may see, or an index as it was built).

    Passing a network builds a :class:`DuplicateIndex` first (linear); keep the index to check
    many offers.
    """
    index = source if isinstance(source, DuplicateIndex) else DuplicateIndex(
        source, audience=audience)
    return index.match(offer)
