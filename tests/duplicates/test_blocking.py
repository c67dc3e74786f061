"""duplicates/blocking.py: candidate pairs come only from shared blocks, each pair once,
and the sorted-neighbourhood window keeps their number linear in the number of offers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pytest

from ki_network import Contact, Offer, Schedule
from ki_network.duplicates.blocking import (
    Blocking,
    candidate_pairs,
    rare_tokens,
    title_ranks,
    window_pairs,
)
from ki_network.duplicates.features import Features, Vocab, offer_key

GM = "05374012"
WALDBROEL = "05374048"

#: Titles without a shared word of three letters or more: no token block joins them.
DISTINCT = ("Sprachcafé", "Nähtreff", "Bewerbungstraining", "Hausaufgabenhilfe",
            "Fahrradwerkstatt", "Elternfrühstück")

#: Only the municipality × topic family blocks.
PLACE_ONLY = Blocking(place_window=1, token_window=0, contact_window=0, provider_window=0,
                      rare_tokens=0)


def make(id: str, title: Any, **fields: Any) -> Offer:
    fields.setdefault("provider", f"provider-{id}")
    return Offer(id=id, title=title, **fields)


def features(*offers: Offer) -> Features:
    vocab = Vocab()
    return Features([offer_key(o, vocab) for o in offers])


def pairs(f: Features, blocking: Blocking | None = None) -> set[tuple[str, str]]:
    ia, ib = candidate_pairs(f, blocking or Blocking())
    return {(f.ids[a], f.ids[b]) for a, b in zip(ia.tolist(), ib.tolist(), strict=True)}


# -- window_pairs ------------------------------------------------------------------------------


def test_window_pairs_encode_low_times_n_plus_high_and_stop_at_the_window() -> None:
    # one block of four, sorted by rank 3, 2, 1, 0: neighbours in that order only
    found = window_pairs(np.arange(4), np.zeros(4, dtype=np.int64), np.array([3, 2, 1, 0]), 1, 4)
    assert sorted((p // 4, p % 4) for p in found.tolist()) == [(0, 1), (1, 2), (2, 3)]
    all_of_them = window_pairs(np.arange(4), np.zeros(4, dtype=np.int64), np.arange(4), 3, 4)
    assert len(all_of_them) == 6


def test_window_pairs_of_singleton_blocks_and_window_zero_are_empty() -> None:
    assert window_pairs(np.arange(3), np.array([1, 2, 3]), np.arange(3), 5, 3).size == 0
    assert window_pairs(np.arange(3), np.zeros(3, dtype=np.int64), np.arange(3), 0, 3).size == 0


def test_window_pairs_skip_an_offer_paired_with_itself() -> None:
    # token blocks list an offer once per word: the same offer twice in one block
    found = window_pairs(np.array([0, 0, 1]), np.zeros(3, dtype=np.int64), np.array([0, 0, 1]),
                         2, 2)
    assert set(found.tolist()) == {1}  # (0, 1), never (0, 0)


# -- which blocks join offers ------------------------------------------------------------------


def test_fewer_than_two_offers_have_no_pairs() -> None:
    for f in (features(), features(make("a", "Sprachcafé", municipality=GM))):
        ia, ib = candidate_pairs(f)
        assert ia.size == ib.size == 0


def test_offers_sharing_no_block_are_never_compared() -> None:
    offers = [make(f"o{i}", title, municipality=f"0537{i:04d}", topic=topic)
              for i, (title, topic) in enumerate(zip(DISTINCT, ("language", "work", "health",
                                                                  "education", "mobility",
                                                                  "family"), strict=True))]
    assert pairs(features(*offers)) == set()


@pytest.mark.parametrize(("field", "value"), [
    ("provider", "caritas"),
    ("contact", Contact(phone="+49 2261 880")),
    ("contact", Contact(email="info@caritas.example")),
])
def test_one_shared_key_joins_offers_far_apart(field: str, value: Any) -> None:
    a = make("a", "Sprachcafé", municipality=GM, topic="language.informal", **{field: value})
    b = make("b", "Fahrradwerkstatt", municipality=WALDBROEL, topic="mobility",
             **{field: value})
    c = make("c", "Nähtreff", municipality=WALDBROEL, topic="work")
    assert pairs(features(a, b, c)) == {("a", "b")}


def test_phone_spellings_meet_in_one_contact_block() -> None:
    a = make("a", "Sprachcafé", contact=Contact(phone="02261 / 88-0"))
    b = make("b", "Fahrradwerkstatt", contact=Contact(phone="+49 2261 880"))
    assert pairs(features(a, b)) == {("a", "b")}


def test_a_rare_title_word_joins_offers_in_different_places() -> None:
    a = make("a", "Frauenschwimmkurs Sommer", municipality=GM, topic="health")
    b = make("b", "Frauenschwimmkurs", municipality=WALDBROEL, topic="sport")
    c = make("c", "Nähtreff", municipality=WALDBROEL, topic="work")
    assert pairs(features(a, b, c)) == {("a", "b")}


def test_place_block_is_municipality_times_topic_family() -> None:
    offers = [
        make("lang-gm", DISTINCT[0], municipality=GM, topic="language.informal"),
        make("lang-gm-2", DISTINCT[1], municipality=GM, topic="language.courses"),
        make("work-gm", DISTINCT[2], municipality=GM, topic="work"),
        make("lang-wb", DISTINCT[3], municipality=WALDBROEL, topic="language.informal"),
    ]
    # same family (language) in the same municipality: joined; another family or place: not
    assert pairs(features(*offers), PLACE_ONLY) == {("lang-gm", "lang-gm-2")}


def test_offers_without_municipality_or_topic_are_in_no_place_block() -> None:
    offers = [
        make("no-place", DISTINCT[0], topic="language"),
        make("no-place-2", DISTINCT[1], topic="language"),
        make("no-topic", DISTINCT[2], municipality=GM),
        make("no-topic-2", DISTINCT[3], municipality=GM),
    ]
    assert pairs(features(*offers)) == set()


def test_topic_family_comes_from_the_ancestors_when_given() -> None:
    a = make("a", DISTINCT[0], municipality=GM, topic="deutschtreff")
    b = make("b", DISTINCT[1], municipality=GM, topic="sprachcafe")
    vocab = Vocab()
    family = {"deutschtreff": ["deutschtreff", "language"], "sprachcafe": ["sprachcafe",
                                                                          "language"]}
    joined = Features([offer_key(o, vocab, family.__getitem__) for o in (a, b)])
    assert pairs(joined, PLACE_ONLY) == {("a", "b")}
    assert pairs(features(a, b), PLACE_ONLY) == set()  # without ancestors: two families


# -- each pair once, ordered -------------------------------------------------------------------


def test_a_pair_in_many_blocks_comes_once_and_ordered() -> None:
    shared = {"municipality": GM, "topic": "language.informal", "provider": "caritas",
              "contact": Contact(phone="+49 2261 880", email="cafe@caritas.example")}
    offers = [make(f"o{i}", f"Sprachcafé Frauenfrühstück {i}", **shared) for i in range(6)]
    ia, ib = candidate_pairs(features(*offers))
    assert bool(np.all(ia < ib))
    assert len(set(zip(ia.tolist(), ib.tolist(), strict=True))) == len(ia) == 15  # all, once


def test_a_block_no_larger_than_window_plus_one_yields_all_its_pairs() -> None:
    blocking = Blocking(place_window=4, token_window=0, contact_window=0, provider_window=0,
                        rare_tokens=0)
    # titles and times sort in the same order, so both orderings give the same neighbours
    six = [make(f"o{i}", f"Angebot{'ABCDEF'[i]}", municipality=GM, topic="language")
           for i in range(6)]
    assert len(pairs(features(*six[:5]), blocking)) == 10  # all pairs of five
    all_pairs = {(f"o{i}", f"o{j}") for i in range(6) for j in range(i + 1, 6)}
    assert all_pairs - pairs(features(*six), blocking) == {("o0", "o5")}  # 5 apart


def test_place_blocks_pair_neighbours_by_title_and_by_time() -> None:
    # sorted by title: a, b, c; sorted by weekday and start: a, c, b
    a = make("a", "Aaa", municipality=GM, topic="language",
             schedule=[Schedule(datetime(2026, 1, 12, 9))])  # Monday
    b = make("b", "Bbb", municipality=GM, topic="language",
             schedule=[Schedule(datetime(2026, 1, 14, 9))])  # Wednesday
    c = make("c", "Ccc", municipality=GM, topic="language",
             schedule=[Schedule(datetime(2026, 1, 13, 9))])  # Tuesday
    # window 1: by title alone (a, c) would never meet
    assert pairs(features(a, b, c), PLACE_ONLY) == {("a", "b"), ("b", "c"), ("a", "c")}


# -- cost -------------------------------------------------------------------------------------


def _one_big_block(n: int) -> Features:
    """``n`` language offers of one provider in one town, sharing phone and title words."""
    return features(*(
        make(f"o{i}", f"Deutschkurs Gruppe {i} Wort{i % 7}", municipality=GM,
             topic="language.courses", provider="vhs",
             contact=Contact(phone="+49 2261 880", email="kurse@vhs.example"))
        for i in range(n)))


def test_the_window_bounds_the_pairs_of_one_huge_block() -> None:
    b = Blocking()
    per_offer = (2 * b.place_window + b.rare_tokens * b.token_window + 2 * b.contact_window
                 + b.provider_window)
    for n in (200, 800):
        ia, _ = candidate_pairs(_one_big_block(n), b)
        assert len(ia) <= per_offer * n
        assert len(ia) < n * (n - 1) // 2 // 4


def test_the_number_of_pairs_grows_linearly() -> None:
    small = len(candidate_pairs(_one_big_block(400))[0])
    large = len(candidate_pairs(_one_big_block(1600))[0])
    assert large <= 4 * small * 1.05  # quadratic would be 16 times


# -- helpers the blocks are keyed by ------------------------------------------------------------


def test_title_ranks_sort_swapped_words_together() -> None:
    f = features(make("a", "Frauen Sprachcafé"), make("b", "Zumba"),
                 make("c", "Sprachcafé Frauen"))
    ranks = title_ranks(f).tolist()
    assert ranks[0] == ranks[2] != ranks[1]


def test_rare_tokens_are_the_rarest_long_words() -> None:
    f = features(make("a", "Sprachcafé für Frauen am Markt"), make("b", "Sprachcafé Markt"),
                 make("c", "Sprachcafé am Markt"))
    tokens = rare_tokens(f, 2)
    assert all(len(t) <= 2 for t in tokens)
    assert all(len(word) > 2 for t in tokens for word in t)
    assert "frauen" in tokens[0]  # the one word no other title has
    assert rare_tokens(f, 0) == [(), (), ()]
