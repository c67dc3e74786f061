"""Duplicate and overlapping offers: explainable detection that scales to a whole country.

>>> from ki_network.testing import tiny_network
>>> report = find_duplicates(tiny_network())
>>> report.as_json()["pairs"], report.as_json()["clusters"]
([], [])

See ``docs/duplicates.md``.
"""

from .engine import find_duplicates
from .findings import DUPLICATE_RULE, OVERLAP_RULE, directory_of, evidence_of, rule_of
from .index import DuplicateIndex, match_offer
from .report import BANDS, DuplicateReport, Pair, apply_decisions, clusters_of
from .scoring import Thresholds

__all__ = [
    "BANDS",
    "DUPLICATE_RULE",
    "OVERLAP_RULE",
    "DuplicateIndex",
    "DuplicateReport",
    "Pair",
    "Thresholds",
    "apply_decisions",
    "clusters_of",
    "directory_of",
    "evidence_of",
    "find_duplicates",
    "match_offer",
    "rule_of",
]
