"""Duplicate and overlap pairs as :class:`~ki_network.model.Finding` objects, for the
``duplicate-offer`` and ``overlapping-offers`` rules of ``ki-network check``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..model import Finding, Severity, Visibility
from ..network import restricted
from .engine import find_duplicates
from .report import DuplicateReport, Pair

if TYPE_CHECKING:
    from ..network import Network

DUPLICATE_RULE = "duplicate-offer"
OVERLAP_RULE = "overlapping-offers"


def _title(network: Network, offer_id: str) -> str:
    return network.offers[offer_id].title.get(network.config.language)


def directory_of(network: Network) -> str:
    """The data directory as advice names it: the path the network was loaded from (as it
    was given, relative stays relative), else ``DIR``."""
    return str(network.directory) if network.directory is not None else "DIR"


def _finding(network: Network, pair: Pair) -> Finding:
    a, b = network.offers[pair.a], network.offers[pair.b]
    evidence: dict[str, Any] = {"score": pair.score, "band": pair.band,
                                "reasons": list(pair.reasons), "signals": dict(pair.signals)}
    if pair.decision is not None:
        evidence["decision"] = pair.decision.verdict
    names = f"{_title(network, a.id)!r} ({a.id}) and {_title(network, b.id)!r} ({b.id})"
    if pair.band == "overlap":
        return Finding(
            OVERLAP_RULE, Severity.INFO, (a.id, b.id),
            f"{names}: {a.provider} and {b.provider} offer the same thing to the same people "
            "at the same place and time",
            f"{a.provider} and {b.provider} should talk: pool the offers or stagger the times",
            evidence)
    certain = pair.band == "same"
    who = a.provider if a.provider == b.provider else f"{a.provider} and {b.provider}"
    if pair.decision is not None:  # decided already: advising --decide again would be noise
        advice = (f"a person confirmed that they are one offer; {who} should merge the two "
                  f"records (keep {a.id} or {b.id})")
    else:
        advice = (f"{who} should check with whoever entered them; then merge the records or "
                  f"record the verdict: ki-network duplicates {directory_of(network)} --decide "
                  f"{a.id} {b.id} same|distinct")
    return Finding(
        DUPLICATE_RULE, Severity.WARNING if certain else Severity.INFO, (a.id, b.id),
        f"{names} {'are' if certain else 'may be'} one offer recorded twice", advice,
        evidence)


def duplicate_findings(network: Network, report: DuplicateReport | None = None, *,
                       audience: Visibility | str = Visibility.PUBLIC) -> list[Finding]:
    """One finding per pair: ``duplicate-offer`` (warning for ``same``, info for ``review``)
    and ``overlapping-offers`` (info).  Pairs a person confirmed as ``same`` stay findings
    until the records are merged; ``distinct`` ones are gone.

    ``audience`` (default ``public``): who reads the findings; the pairs are found among what
    they may see.  A ``report`` given is trusted to have been made for that audience.

    >>> from ki_network.testing import tiny_network
    >>> duplicate_findings(tiny_network())
    []
    """
    network = restricted(network, audience)
    report = report or find_duplicates(network, audience=network.audience)
    return [_finding(network, pair) for pair in report.pairs]
