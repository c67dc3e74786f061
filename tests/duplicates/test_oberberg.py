"""The planted duplicates and overlaps of examples/oberberg are found, with reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from ki_network import Network, load
from ki_network.checks import duplicate_findings
from ki_network.duplicates import find_duplicates

EXAMPLE = Path(__file__).parents[2] / "examples" / "oberberg"
SAME = [("caritas-sprachcafe-waldbroel", "ki-sprachcafe-frauen-waldbroel"),
        ("vhs-dtkurs-a1-gummersbach", "vhs-deutschkurs-a1-gummersbach")]
OVERLAP = [("awo-elterncafe-wiehl", "diakonie-familiencafe-wiehl"),
           ("drk-sprachtreff-ukraine-gummersbach", "malteser-deutschtreff-ukraine-gummersbach")]
NOT_SAME = [("vhs-deutschkurs-a1-gummersbach", "vhs-deutschkurs-a2-gummersbach"),
            ("fbs-griffbereit-gruppe-1-gummersbach", "fbs-griffbereit-gruppe-2-gummersbach")]


@pytest.fixture(scope="module")
def network() -> Network:
    pytest.importorskip("ki_network_oberberg", reason="pip install -e plugins/ki-network-oberberg")
    net = load(EXAMPLE)
    planted = {i for pair in SAME + OVERLAP + NOT_SAME for i in pair}
    missing = sorted(planted - set(net.offers))
    if missing:
        pytest.skip(f"examples/oberberg does not hold {', '.join(missing)} yet")
    return net


def _pairs(net: Network) -> dict[frozenset[str], tuple[str, tuple[str, ...]]]:
    return {frozenset((p.a, p.b)): (p.band, p.reasons) for p in find_duplicates(net).pairs}


@pytest.mark.parametrize(("a", "b"), SAME)
def test_planted_duplicates_are_same(network: Network, a: str, b: str) -> None:
    band, reasons = _pairs(network)[frozenset((a, b))]
    assert band == "same"
    agreeing = {r.split()[0] for r in reasons if " agrees " in r}
    assert {"title", "provider", "municipality", "schedule"} <= agreeing


@pytest.mark.parametrize(("a", "b"), OVERLAP)
def test_planted_overlaps_are_overlaps(network: Network, a: str, b: str) -> None:
    band, reasons = _pairs(network)[frozenset((a, b))]
    assert band == "overlap"
    assert reasons[0].startswith("different providers")
    agreeing = {r.split()[0] for r in reasons if " agrees " in r}
    assert {"topic", "target_groups", "municipality", "schedule"} <= agreeing


@pytest.mark.parametrize(("a", "b"), NOT_SAME)
def test_hard_negatives_are_not_same(network: Network, a: str, b: str) -> None:
    found = _pairs(network).get(frozenset((a, b)))
    assert found is None or found[0] == "overlap"


def test_nothing_else_is_called_same(network: Network) -> None:
    same = {k for k, (band, _) in _pairs(network).items() if band == "same"}
    assert same == {frozenset(p) for p in SAME}


def test_findings_name_who_should_talk(network: Network) -> None:
    findings = {frozenset(f.subjects): f for f in duplicate_findings(network, language="en")}
    overlap = findings[frozenset(OVERLAP[0])]
    assert overlap.rule == "overlapping-offers"
    assert overlap.suggestion.startswith("AWO Kreisverband Oberberg e.V. and Diakonisches Werk")
    assert findings[frozenset(SAME[0])].rule == "duplicate-offer"
