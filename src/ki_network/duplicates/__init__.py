"""Duplicate and overlapping offers: explainable detection that scales to a whole country.

>>> from ki_network.testing import tiny_network
>>> report = find_duplicates(tiny_network())
>>> report.as_json()["pairs"], report.as_json()["clusters"]
([], [])

See ``docs/duplicates.md``.
"""

from .blocking import Blocking, candidate_pairs
from .engine import find_duplicates
from .features import Features, OfferKey, Vocab, offer_key, schedule_slot
from .findings import DUPLICATE_RULE, OVERLAP_RULE, evidence_of, rule_of
from .index import DuplicateIndex, match_offer
from .normalize import normalize_address, normalize_text, phone_e164, tokens
from .report import BANDS, DuplicateReport, Pair, apply_decisions, clusters_of
from .scoring import Matcher, Thresholds
from .signals import BUILTIN_SIGNALS, VETOES, BuiltinSignal, Veto

__all__ = [
    "BANDS",
    "BUILTIN_SIGNALS",
    "DUPLICATE_RULE",
    "OVERLAP_RULE",
    "VETOES",
    "Blocking",
    "BuiltinSignal",
    "DuplicateIndex",
    "DuplicateReport",
    "Features",
    "Matcher",
    "OfferKey",
    "Pair",
    "Thresholds",
    "Veto",
    "Vocab",
    "apply_decisions",
    "candidate_pairs",
    "clusters_of",
    "evidence_of",
    "find_duplicates",
    "match_offer",
    "normalize_address",
    "normalize_text",
    "offer_key",
    "phone_e164",
    "rule_of",
    "schedule_slot",
    "tokens",
]
