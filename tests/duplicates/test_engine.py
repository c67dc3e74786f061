"""Signals, vetoes, blocking, bands, decisions, clusters and the incremental index."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest

from ki_network import Network, Offer, Schedule, hookimpl, load
from ki_network.checks import duplicate_findings
from ki_network.duplicates import (
    DuplicateIndex,
    Pair,
    clusters_of,
    find_duplicates,
    match_offer,
)
from ki_network.duplicates.blocking import candidate_pairs, window_pairs
from ki_network.duplicates.features import Features, Vocab, offer_key, schedule_slot
from ki_network.duplicates.signals import BUILTIN_SIGNALS
from ki_network.plugin.contracts import DuplicateSignal
from ki_network.testing import TINY, bare_plugin_manager, write_network

GM = "05374012"


def offer(id: str, title: Any = "Sprachcafé für Frauen", **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": id, "title": title, "provider": "caritas", "topic": "language.informal",
        "target_groups": ["women"], "languages": ["de", "ar"], "municipality": GM,
        "location": "Pfarrheim, Kaiserstraße 5, 51643 Gummersbach",
        "contact": {"phone": "+49 2261 880", "email": "cafe@caritas.example"},
        "schedule": [{"start": "2026-01-13T09:30", "end": "2026-01-13T11:00",
                      "rrule": "FREQ=WEEKLY;BYDAY=TU", "until": "2026-07-14"}]}
    record.update(fields)
    return {k: v for k, v in record.items() if v is not None}


def network(tmp_path: Path, offers: list[dict[str, Any]], plugins: Sequence[object] = (),
            decisions: list[dict[str, Any]] | None = None) -> Network:
    files: dict[str, Any] = {**TINY, "offers.yaml": offers}
    files.pop("events.yaml")
    files["actors.yaml"] = [*TINY["actors.yaml"],
                            {"id": "awo", "name": "AWO", "kind": "provider"}]
    if decisions is not None:
        files["decisions.yaml"] = decisions
    return load(write_network(tmp_path / "net", files), bare_plugin_manager(*plugins))


def bands(report: Any) -> dict[tuple[str, str], str]:
    return {(p.a, p.b): p.band for p in report.pairs}


# -- signals -----------------------------------------------------------------------------


def test_every_builtin_signal_follows_the_protocol() -> None:
    for signal in BUILTIN_SIGNALS:
        assert isinstance(signal, DuplicateSignal)


def test_title_compares_across_translations() -> None:
    title = next(s for s in BUILTIN_SIGNALS if s.name == "title")
    a = Offer(id="a", title={"de": "Sprachcafé für Frauen", "en": "Language café for women"},
              provider="p")
    b = Offer(id="b", title={"en": "Language cafe for women"}, provider="p")
    found = title.compare(a, b, None)
    assert found is not None and found[0] == 1.0


def test_a_signal_with_nothing_to_compare_says_so() -> None:
    location = next(s for s in BUILTIN_SIGNALS if s.name == "location")
    assert location.compare(Offer(id="a", title="x", provider="p"),
                            Offer(id="b", title="x", provider="p"), None) is None


def test_schedule_slot_reads_byday_and_until() -> None:
    slot = schedule_slot(Schedule(datetime(2026, 1, 12, 9), datetime(2026, 1, 12, 10),
                                  rrule="FREQ=WEEKLY;BYDAY=MO,2WE;UNTIL=20260301T000000Z"))
    assert (slot.days, slot.start, slot.end) == (0b101, 540, 600)
    assert date.fromordinal(slot.last) == date(2026, 3, 1)
    one_off = schedule_slot(Schedule(date(2026, 5, 1)))
    assert (one_off.start, one_off.end, one_off.first == one_off.last) == (0, 1440, True)


def test_schedules_that_meet_and_do_not() -> None:
    schedule = next(s for s in BUILTIN_SIGNALS if s.name == "schedule")

    def weekly(day: str, start: int, end: int) -> Offer:
        return Offer(id=day + str(start), title="x", provider="p", schedule=[
            Schedule(datetime(2026, 1, 12, start), datetime(2026, 1, 12, end),
                     rrule=f"FREQ=WEEKLY;BYDAY={day}")])

    same = schedule.compare(weekly("MO", 9, 11), weekly("MO", 9, 11), None)
    part = schedule.compare(weekly("MO", 9, 11), weekly("MO", 10, 12), None)
    other_day = schedule.compare(weekly("MO", 9, 11), weekly("WE", 9, 11), None)
    later = schedule.compare(weekly("MO", 9, 11), weekly("MO", 11, 12), None)
    assert same and part and other_day and later
    assert same[0] == 1.0 and 0.5 < part[0] < 1.0 and other_day[0] == 0.0 and later[0] == 0.0


# -- blocking -----------------------------------------------------------------------------


def test_window_pairs_only_within_a_key() -> None:
    pairs = window_pairs(np.arange(5), np.array([1, 1, 1, 2, 2]), np.arange(5), 5, 5)
    assert sorted((p // 5, p % 5) for p in pairs.tolist()) == [(0, 1), (0, 2), (1, 2), (3, 4)]


def test_blocking_compares_far_fewer_than_all_pairs() -> None:
    vocab = Vocab()
    offers = [Offer(id=f"o{i}", title=f"Angebot {i} Nummer{i % 97}", provider=f"p{i % 50}",
                    topic=("language", "work", "health")[i % 3], municipality=f"0537{i % 13:04d}")
              for i in range(3000)]
    features = Features([offer_key(o, vocab) for o in offers])
    ia, ib = candidate_pairs(features)
    assert len(ia) < 3000 * 60 < 3000 * 2999 / 2
    assert bool(np.all(ia < ib))
    assert len(set(zip(ia.tolist(), ib.tolist(), strict=True))) == len(ia)


# -- bands --------------------------------------------------------------------------------


def test_same_review_and_overlap_are_told_apart(tmp_path: Path) -> None:
    net = network(tmp_path, [
        offer("a"),
        offer("a-again", "Sprach-Café f. Frauen", contact={"phone": "02261 / 88-0"}),
        offer("overlap", "Frauentreff: Deutsch üben", provider="awo",
              location="Bürgerhaus, Hauptstr. 3", contact={"phone": "02261 4711"},
              schedule=[{"start": "2026-01-13T10:00", "end": "2026-01-13T12:00",
                         "rrule": "FREQ=WEEKLY;BYDAY=TU"}]),
        offer("monday", schedule=[{"start": "2026-01-12T09:30", "end": "2026-01-12T11:00",
                                   "rrule": "FREQ=WEEKLY;BYDAY=MO"}]),
    ])
    report = find_duplicates(net)
    found = bands(report)
    assert found[("a", "a-again")] == "same"
    assert found[("a", "overlap")] == found[("a-again", "overlap")] == "overlap"
    assert ("a", "monday") not in found
    assert report.clusters == (("a", "a-again"),)
    same = report.band("same")[0]
    assert any(r.startswith("title agrees") for r in same.reasons)
    assert any(r.startswith("contact agrees") and "+492261880" in r for r in same.reasons)
    overlap = report.band("overlap")[0]
    assert overlap.reasons[0].startswith("different providers (caritas, awo)")
    assert 0 <= overlap.score <= 1


@pytest.mark.parametrize(("base", "changes"), [
    ({"title": "Sprachcafé für Frauen A2"}, {"title": "Sprachcafé für Frauen A1"}),
    ({"title": "Sprachcafé für Frauen Gruppe 1"}, {"title": "Sprachcafé für Frauen Gruppe 2"}),
    ({"title": "Sprachcafé für Frauen (3–6 Jahre)"},
     {"title": "Sprachcafé für Frauen (6–10 Jahre)"}),
    ({}, {"municipality": "05374044"}),
    ({}, {"target_groups": ["men"]}),
    ({}, {"valid_from": "2026-09-01", "schedule": [
        {"start": "2026-09-01T09:30", "end": "2026-09-01T11:00",
         "rrule": "FREQ=WEEKLY;BYDAY=TU"}]}),
], ids=["level", "group", "age", "municipality", "target_groups", "period"])
def test_vetoes_keep_two_offers_apart(tmp_path: Path, base: dict[str, Any],
                                      changes: dict[str, Any]) -> None:
    control = network(tmp_path / "control", [offer("a", **base), offer("b", **base)])
    assert bands(find_duplicates(control)) == {("a", "b"): "same"}
    net = network(tmp_path, [offer("a", **base), offer("b", **{**base, **changes})])
    assert find_duplicates(net).pairs == ()


def test_the_ki_entering_a_partners_offer_is_same(tmp_path: Path) -> None:
    net = network(tmp_path, [offer("a"), offer("ki-copy", provider="ki", partners=["caritas"],
                                               contact=None)])
    pair = find_duplicates(net).pairs[0]
    assert pair.band == "same"
    assert any("both with caritas" in r for r in pair.reasons)


def test_min_score_and_json_contract(tmp_path: Path) -> None:
    net = network(tmp_path, [offer("a"), offer("b", "Sprach-Café für Frauen")])
    document = find_duplicates(net).as_json()
    assert set(document) >= {"pairs", "clusters"}
    pair = document["pairs"][0]
    assert set(pair) >= {"a", "b", "score", "band", "reasons"}
    assert pair["band"] in ("same", "review", "overlap")
    assert all(isinstance(r, str) for r in pair["reasons"])
    assert find_duplicates(net, min_score=1.01).pairs == ()


# -- decisions ------------------------------------------------------------------------------


def test_decisions_are_honoured(tmp_path: Path) -> None:
    offers = [offer("a"), offer("b", "Sprach-Café für Frauen"),
              offer("c", "Nähcafé", topic="cohesion.encounter", provider="awo",
                    location="Talweg 9")]
    decisions = [{"a": "a", "b": "b", "verdict": "distinct", "note": "two rooms"},
                 {"a": "c", "b": "a", "verdict": "same", "by": "KI", "on": "2026-02-01"}]
    # who decided is for the KI's eyes only: the public view keeps verdict and date
    report = find_duplicates(network(tmp_path, offers, decisions=decisions), audience="internal")
    found = bands(report)
    assert ("a", "b") not in found
    confirmed = [p for p in report.pairs if {p.a, p.b} == {"a", "c"}]
    assert confirmed and confirmed[0].band == "same"
    assert confirmed[0].reasons[0] == "confirmed by a person (KI 2026-02-01)"
    # the matcher would not have paired them; the pair still shows what agrees and what not
    assert any(r.startswith("topic differs") for r in confirmed[0].reasons)
    assert confirmed[0].score < 0.8
    assert report.clusters == (("a", "c"),)


def test_clusters_are_connected_components_of_same() -> None:
    pairs = [Pair("a", "b", 1, "same", ()), Pair("b", "c", 1, "same", ()),
             Pair("c", "d", 1, "overlap", ()), Pair("e", "f", 1, "same", ())]
    assert clusters_of(pairs) == (("a", "b", "c"), ("e", "f"))


# -- plugins ---------------------------------------------------------------------------------


@attrs.frozen
class ProgrammeSignal:
    """Offers funded by one programme are more likely one offer."""

    name: str = "programme"
    weight: float = 2.0

    def compare(self, a: Offer, b: Offer, network: Network) -> tuple[float, str] | None:
        if not a.programme or not b.programme:
            return None
        return float(a.programme == b.programme), f"{a.programme} / {b.programme}"


class ProgrammePlugin:
    @hookimpl
    def ki_network_duplicate_signals(self) -> list[DuplicateSignal]:
        return [ProgrammeSignal()]


def test_plugin_signals_take_part_and_are_named(tmp_path: Path) -> None:
    net = network(tmp_path, [offer("a", programme="KOMM-AN"),
                             offer("b", "Sprach-Café für Frauen", programme="KOMM-AN")],
                  plugins=[ProgrammePlugin()])
    pair = find_duplicates(net).pairs[0]
    assert pair.signals["programme"] == 1.0
    assert "programme agrees (100%): KOMM-AN / KOMM-AN" in pair.reasons


# -- incremental -----------------------------------------------------------------------------


def test_the_index_checks_a_new_offer_and_learns_changes(tmp_path: Path) -> None:
    net = network(tmp_path, [offer("a"), offer("other", "Nähcafé", topic="cohesion.encounter")])
    index = DuplicateIndex(net)
    new = Offer(id="new", title="Sprachcafe f. Frauen", provider="caritas",
                topic="language.informal", target_groups=("women",), municipality=GM,
                schedule=net.offers["a"].schedule)
    assert [(p.a, p.b, p.band) for p in index.match(new)] == [("new", "a", "same")]
    index.add(new)
    assert "new" in index.candidates(net.offers["a"])
    index.add(attrs.evolve(new, municipality="05374044"))  # changed: moved to Waldbröl
    assert [p.b for p in index.match(net.offers["a"])] == []
    index.remove("new")
    assert len(index) == 2
    assert [p.b for p in match_offer(net, new)] == ["a"]


def test_only_new_refuses_unknown_ids(tmp_path: Path) -> None:
    net = network(tmp_path, [offer("a"), offer("b", "Sprach-Café für Frauen")])
    assert bands(find_duplicates(net, only=["b"])) == {("b", "a"): "same"}
    with pytest.raises(ValueError, match="no offer 'zzz'"):
        find_duplicates(net, only=["b", "zzz"])


def test_findings_for_check(tmp_path: Path) -> None:
    net = network(tmp_path, [
        offer("a"), offer("b", "Sprach-Café für Frauen"),
        offer("c", "Frauentreff: Deutsch üben", provider="awo", location="Hauptstr. 3",
              contact={"phone": "02261 4711"})])
    findings = duplicate_findings(net, language="en")
    rules = sorted((f.rule, f.severity.value, f.subjects) for f in findings)
    assert ("duplicate-offer", "warning", ("a", "b")) in rules
    assert ("overlapping-offers", "info", ("a", "c")) in rules
    overlap = next(f for f in findings if f.rule == "overlapping-offers")
    assert "Caritas and AWO should talk" in overlap.suggestion
    german = next(f for f in duplicate_findings(net) if f.rule == "overlapping-offers")
    assert "Caritas und AWO sollten miteinander sprechen" in german.suggestion  # network: de
    assert overlap.evidence["reasons"]



def test_a_decision_about_an_event_is_reported_not_dropped(tmp_path: Path) -> None:
    files: dict[str, Any] = {**TINY, "decisions.yaml": [
        {"a": "cafe-gm", "b": "fest", "verdict": "distinct"}]}
    net = load(write_network(tmp_path / "net", files), bare_plugin_manager())
    report = find_duplicates(net, audience="internal")
    assert report.notes == ("decision on cafe-gm / fest: not an offer pair, ignored",)


def test_an_offer_with_several_slots_against_one_without_schedule(tmp_path: Path) -> None:
    """Regression: ``max()`` of no slot pairs raised ValueError and failed both rules."""
    two_slots = offer("a", schedule=[
        {"start": "2026-01-13T09:30", "end": "2026-01-13T11:00", "rrule": "FREQ=WEEKLY;BYDAY=TU"},
        {"start": "2026-01-15T09:30", "end": "2026-01-15T11:00", "rrule": "FREQ=WEEKLY;BYDAY=TH"}])
    no_schedule = offer("b", schedule=None, provider="awo")
    report = find_duplicates(network(tmp_path, [two_slots, no_schedule]))
    assert all(p.reasons for p in report.pairs)  # scored without raising
