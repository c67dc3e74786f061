"""What the ``duplicate-offer`` and ``overlapping-offers`` rules of ``ki-network check`` say
about a pair, apart from the words: rule ids and the evidence.  The findings themselves are
worded in one place, :mod:`ki_network.checks.wording`
(:func:`ki_network.checks.duplicate_findings`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .report import Pair

if TYPE_CHECKING:
    from ..network import Network

DUPLICATE_RULE = "duplicate-offer"
OVERLAP_RULE = "overlapping-offers"


def rule_of(pair: Pair) -> str:
    """``overlapping-offers`` for a pair in the ``overlap`` band, else ``duplicate-offer``."""
    return OVERLAP_RULE if pair.band == "overlap" else DUPLICATE_RULE


def evidence_of(pair: Pair) -> dict[str, Any]:
    """The facts of a pair for ``Finding.evidence``: score, band, reasons, signals, and a
    person's verdict when there is one."""
    evidence: dict[str, Any] = {"score": pair.score, "band": pair.band,
                                "reasons": list(pair.reasons), "signals": dict(pair.signals)}
    if pair.decision is not None:
        evidence["decision"] = pair.decision.verdict
    return evidence


def directory_of(network: Network) -> str:
    """The data directory as advice names it: the path the network was loaded from (as it
    was given, relative stays relative), else ``DIR``."""
    return str(network.directory) if network.directory is not None else "DIR"
