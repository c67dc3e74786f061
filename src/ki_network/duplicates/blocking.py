"""Candidate pairs by blocking: only offers that share a key are compared, never all pairs.

Blocks (each offer may be in several):

* municipality × topic family (the place where overlaps live), ordered by title and, a second
  time, by weekday and start time;
* the two rarest words of the title (typos elsewhere in the title do not matter);
* phone number and e-mail address;
* provider.

Inside a block, offers are sorted and each is paired with the next ``window`` offers (the
*sorted neighbourhood* method).  A block no larger than ``window + 1`` thus yields all its pairs;
a huge block (all language offers of a city) yields at most ``window`` pairs per offer.  The
whole step is a handful of numpy sorts and comparisons: O(n log n) time, O(window · n) pairs.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import attrs
import numpy as np

from .features import NONE, Features, IntArray


@attrs.frozen
class Blocking:
    """How many neighbours each offer is paired with in each kind of block."""

    place_window: int = 16
    token_window: int = 8
    contact_window: int = 8
    provider_window: int = 8
    rare_tokens: int = 2


def window_pairs(offers: IntArray, keys: IntArray, ranks: IntArray, window: int,
                 n: int) -> IntArray:
    """Pairs of offers that share a key and are at most ``window`` apart when sorted by
    ``(key, rank)``, encoded as ``low * n + high``.

    >>> window_pairs(np.array([0, 1, 2, 3]), np.array([5, 5, 7, 5]), np.array([0, 1, 2, 3]),
    ...              1, 4).tolist()
    [1, 7]
    """
    order = np.lexsort((ranks, keys))
    sorted_keys, sorted_offers = keys[order], offers[order]
    found = []
    for distance in range(1, window + 1):
        same = sorted_keys[distance:] == sorted_keys[:-distance]
        if not same.any():
            break  # blocks are contiguous: nothing further apart shares a key either
        a, b = sorted_offers[:-distance][same], sorted_offers[distance:][same]
        low, high = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
        keep = low != high
        found.append(low[keep] * n + high[keep])
    return np.concatenate(found) if found else np.empty(0, dtype=np.int64)


@lru_cache(maxsize=200_000)
def _sorted_words(title: str) -> str:
    return " ".join(sorted(title.split()))


@lru_cache(maxsize=200_000)
def _block_words(titles: tuple[str, ...]) -> frozenset[str]:
    """Words of the titles that can key a block (one- and two-letter words cannot)."""
    return frozenset(w for t in titles for w in t.split() if len(w) > 2)


def title_ranks(features: Features) -> IntArray:
    """Rank of each offer's title with its words sorted (so swapped words sort together)."""
    sortable = [_sorted_words(t) for t in features.title]
    rank = {text: n for n, text in enumerate(sorted(set(sortable)))}
    return np.fromiter((rank[text] for text in sortable), dtype=np.int64, count=len(sortable))


def rare_tokens(features: Features, count: int) -> list[tuple[str, ...]]:
    """The ``count`` rarest words of each title (words of one letter or digit skipped)."""
    words = [_block_words(k.titles) for k in features.keys]
    frequency: Counter[str] = Counter(w for ws in words for w in ws)
    return [tuple(sorted(ws, key=lambda w: (frequency[w], w))[:count]) for ws in words]


def candidate_pairs(features: Features, blocking: Blocking = Blocking()) -> tuple[IntArray,
                                                                                  IntArray]:
    """Candidate pairs ``(ia, ib)`` with ``ia < ib``, each pair once."""
    n = len(features)
    if n < 2:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    everyone = np.arange(n, dtype=np.int64)
    by_title = title_ranks(features)
    found: list[IntArray] = []

    place = (features.municipality != NONE) & (features.family != NONE)
    # Codes are 63-bit hashes: combine them by multiplying with a large odd number
    # (wrapping around on overflow is fine: only equality matters).
    place_key = features.municipality * np.int64(1_000_003) ^ features.family
    by_time = features.days.astype(np.int64) * 2000 + features.start
    found.extend(window_pairs(everyone[place], place_key[place], ranks[place],
                              blocking.place_window, n) for ranks in (by_title, by_time))

    token_offers, token_keys = [], []
    codes: dict[str, int] = {}
    for index, words in enumerate(rare_tokens(features, blocking.rare_tokens)):
        for word in words:
            token_offers.append(index)
            token_keys.append(codes.setdefault(word, len(codes)))
    if token_offers:
        offers = np.asarray(token_offers, dtype=np.int64)
        found.append(window_pairs(offers, np.asarray(token_keys, dtype=np.int64),
                                  by_title[offers], blocking.token_window, n))

    for column, window in ((features.phone, blocking.contact_window),
                           (features.email, blocking.contact_window),
                           (features.provider, blocking.provider_window)):
        present = column != NONE
        found.append(window_pairs(everyone[present], column[present].astype(np.int64),
                                  by_title[present], window, n))

    pairs = np.concatenate(found)
    del found
    pairs.sort()  # in place; sorting beats np.unique's hashing here
    if len(pairs):
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
    return pairs // n, pairs % n
