"""The labelled evaluation set: precision, recall and F1 per band must stay high."""

from __future__ import annotations

from pathlib import Path

import pytest

from ki_network import Network, load
from ki_network.duplicates import find_duplicates
from ki_network.testing import bare_plugin_manager, write_network

from .evalset import EvalSet, evaluate, generate


@pytest.fixture(scope="module")
def evalset() -> EvalSet:
    return generate()


@pytest.fixture(scope="module")
def network(evalset: EvalSet, tmp_path_factory: pytest.TempPathFactory) -> Network:
    directory = write_network(tmp_path_factory.mktemp("eval") / "net", evalset.files)
    return load(directory, bare_plugin_manager())


def test_the_set_is_large_and_labelled_by_construction(evalset: EvalSet) -> None:
    assert len(evalset.offers) >= 400
    assert len(evalset.same) >= 100 and len(evalset.overlap) >= 40 and len(evalset.hard) >= 80
    kinds = " ".join(evalset.same_kinds.values())
    for kind in ("abbreviation", "umlauts", "typo", "order", "translation-shared",
                 "translation-cross", "ki-entered", "missing-field"):
        assert kind in kinds
    assert set(evalset.hard.values()) >= {"level", "weekday", "municipality", "target", "group",
                                          "age", "other-weekday", "other-people", "other-time",
                                          "period", "sibling-topic"}
    assert not evalset.same & evalset.overlap
    assert not (evalset.same | evalset.overlap) & set(evalset.hard)


def test_generation_is_deterministic() -> None:
    first, second = generate(seed=11, count=120), generate(seed=11, count=120)
    assert first.files == second.files and first.same == second.same


def test_f1_per_band(evalset: EvalSet, network: Network) -> None:
    figures = evaluate(evalset, find_duplicates(network))
    assert figures["same"].f1 >= 0.95, figures["same"]
    assert figures["overlap"].precision >= 0.95, figures["overlap"]
    assert figures["overlap"].recall >= 0.95, figures["overlap"]
    assert figures["same_or_review"].recall >= figures["same"].recall


def test_no_hard_negative_is_called_same(evalset: EvalSet, network: Network) -> None:
    report = find_duplicates(network)
    wrong = [(p.a, p.b, evalset.hard[frozenset((p.a, p.b))]) for p in report.pairs
             if frozenset((p.a, p.b)) in evalset.hard and p.band == "same"]
    assert wrong == []


def test_no_hard_negative_is_called_overlap(evalset: EvalSet, network: Network) -> None:
    """Above all no sibling programme: an integration course beside a language café,
    Griffbereit beside Rucksack KiTa, is not the same offer kind."""
    report = find_duplicates(network)
    wrong = [(p.a, p.b, evalset.hard[frozenset((p.a, p.b))]) for p in report.pairs
             if frozenset((p.a, p.b)) in evalset.hard and p.band == "overlap"]
    assert wrong == []


def test_overlap_reasons_state_what_agreed(evalset: EvalSet, network: Network) -> None:
    overlaps = find_duplicates(network).band("overlap")
    assert overlaps
    for pair in overlaps:
        first = pair.reasons[0]
        assert first.startswith("different providers") and "at the same time (" in first
        if pair.signals.get("location", 1.0) < 0.85:
            assert "same place" not in first, first
    assert any("at different places" in p.reasons[0] for p in overlaps)
    assert any("at the same place" in p.reasons[0] for p in overlaps)


def test_courses_at_another_level_are_in_no_band(evalset: EvalSet, network: Network) -> None:
    level_pairs = [k for k, v in evalset.hard.items() if v == "level"]
    report = find_duplicates(network)
    banded = {frozenset((p.a, p.b)) for p in report.pairs}
    assert level_pairs and not set(level_pairs) & banded


def test_incremental_matches_the_full_run(evalset: EvalSet, network: Network) -> None:
    full = find_duplicates(network)
    new = [o["id"] for o in evalset.offers[-40:]]
    incremental = find_duplicates(network, only=new)
    wanted = {(frozenset((p.a, p.b)), p.band) for p in full.pairs if p.a in new or p.b in new}
    got = {(frozenset((p.a, p.b)), p.band) for p in incremental.pairs}
    assert len(got & wanted) >= 0.95 * len(wanted)
    assert len(got - wanted) <= 0.05 * max(len(got), 1)


def test_the_writer_of_the_docs_figures_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                             ) -> None:
    from .evalset import _main

    _main()
    out = capsys.readouterr().out
    assert "| same |" in out and "| overlap |" in out
