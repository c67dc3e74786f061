"""Each built-in rule on a small network that holds one case of what it looks for.

The network (``FILES``) has a duplicate (``cafe-a`` twice), an overlap and a schedule
conflict (``kurs-d`` at the same time for the same group), an expired and a stale offer, an
offer whose only contact is for partners, one without a location, two migrant organisations
tied only to each other and one without any tie; Waldbröl (05374044) lacks counselling and
encounter offers, and both places lack languages.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ki_network import load
from ki_network.checks import BUILTIN_RULES, RuleContext, run_rules
from ki_network.model import Finding, Severity
from ki_network.network import Network
from ki_network.testing import bare_plugin_manager, write_network

TODAY = date(2026, 3, 2)
GM, WB = "05374012", "05374044"
WEEKLY_TUE = {"start": "2026-01-13T09:30", "end": "2026-01-13T11:00",
              "rrule": "FREQ=WEEKLY;BYDAY=TU", "until": "2026-12-15"}
FILES = {
    "network.yaml": {"name": "Testnetz", "timezone": "Europe/Berlin", "language": "de",
                     "main_languages": {"default": ["de", "ar", "tr"]}},
    "actors.yaml": [
        {"id": "ki", "name": "KI Testkreis", "kind": "administration",
         "municipalities": [GM, WB], "contact": {"email": "ki@ki.example"}},
        {"id": "caritas", "name": "Caritas", "kind": "provider", "municipalities": [GM],
         "contact": {"email": "info@caritas.example"}},
        {"id": "diakonie", "name": "Diakonie", "kind": "provider", "municipalities": [GM]},
        {"id": "verein-a", "name": "Arabischer Kulturverein", "kind": "migrant_organisation",
         "municipalities": [GM], "languages": ["ar"]},
        {"id": "verein-b", "name": "Türkischer Elternverein", "kind": "migrant_organisation",
         "municipalities": [WB], "languages": ["tr"]},
        {"id": "verein-c", "name": "Eritreischer Verein", "kind": "migrant_organisation",
         "municipalities": [GM], "topics": ["cohesion.encounter"]},
    ],
    "offers.yaml": [
        {"id": "cafe-a", "title": {"de": "Sprachcafé", "en": "Language café"},
         "provider": "caritas", "topic": "language.informal", "target_groups": ["newcomers"],
         "languages": ["de", "ar"], "municipality": GM, "location": "Talweg 1, Gummersbach",
         "schedule": [dict(WEEKLY_TUE)], "valid_to": "2026-12-31"},
        {"id": "cafe-a-copy", "title": {"de": "Sprachcafé", "en": "Language café"},
         "provider": "caritas", "topic": "language.informal", "target_groups": ["newcomers"],
         "languages": ["de", "ar"], "municipality": GM, "location": "Talweg 1, Gummersbach",
         "schedule": [dict(WEEKLY_TUE)], "valid_to": "2026-12-31"},
        {"id": "kurs-d", "title": "Deutsch-Treff am Markt", "provider": "diakonie",
         "topic": "language", "target_groups": ["newcomers"],
         "languages": ["de"], "municipality": GM, "location": "Markt 3, Gummersbach",
         "contact": {"phone": "+49 2261 12345", "visibility": "partners"},
         "schedule": [{"start": "2026-01-13T10:00", "end": "2026-01-13T12:00",
                       "rrule": "FREQ=WEEKLY;BYDAY=TU", "until": "2026-12-15"}]},
        {"id": "beratung-alt", "title": "Migrationsberatung 2025", "provider": "caritas",
         "topic": "counselling.adult_migration", "municipality": GM, "location": "Talweg 1",
         "valid_to": "2025-12-31"},
        {"id": "fest-vorbei", "title": "Begegnungsfest", "provider": "caritas",
         "topic": "cohesion.encounter", "municipality": GM, "location": "Rathausplatz",
         "schedule": [{"start": "2025-05-01T14:00", "end": "2025-05-01T18:00"}]},
        {"id": "treff-ohne-ort", "title": "Deutschtreff", "provider": "caritas",
         "topic": "language.informal", "municipality": WB, "languages": ["de"]},
    ],
    "relations.yaml": [
        {"source": "ki", "target": "caritas", "kind": "cooperates"},
        {"source": "ki", "target": "diakonie", "kind": "funds"},
        {"source": "verein-a", "target": "verein-b", "kind": "cooperates"},
    ],
}


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Network:
    return load(write_network(tmp_path_factory.mktemp("rules") / "net", FILES),
                bare_plugin_manager())


@pytest.fixture(scope="module")
def findings(net: Network) -> list[Finding]:
    return run_rules(net, language="en", today=TODAY).findings


def of(findings: list[Finding], rule: str) -> dict[tuple[str, ...], Finding]:
    return {f.subjects: f for f in findings if f.rule == rule}


def test_every_builtin_rule_finds_its_case(findings: list[Finding]) -> None:
    found = {f.rule for f in findings}
    assert found == {r.id for r in BUILTIN_RULES} - {"organiser-double-booked",
                                                     "holiday-collision"}


def test_duplicate_offer_comes_from_the_duplicates_package(findings: list[Finding]) -> None:
    [duplicate] = of(findings, "duplicate-offer").values()
    assert duplicate.subjects == ("cafe-a", "cafe-a-copy")
    assert duplicate.severity is Severity.WARNING
    assert duplicate.evidence["band"] == "same"
    assert duplicate.message == ("'Language café' (cafe-a) and 'Language café' (cafe-a-copy) "
                                 "are one offer recorded twice")
    assert "--decide cafe-a cafe-a-copy same|distinct" in duplicate.suggestion


def test_overlapping_offers(findings: list[Finding]) -> None:
    overlaps = of(findings, "overlapping-offers")
    assert set(overlaps) == {("cafe-a", "kurs-d"), ("cafe-a-copy", "kurs-d")}
    assert "Caritas and Diakonie should talk" in overlaps[("cafe-a", "kurs-d")].suggestion


def test_schedule_conflict_comes_from_the_calendar_package(findings: list[Finding]) -> None:
    conflicts = of(findings, "schedule-conflict")
    assert ("cafe-a", "kurs-d") in conflicts
    conflict = conflicts[("cafe-a", "kurs-d")]
    assert conflict.evidence["target_groups"] == ("newcomers",)
    assert conflict.evidence["first"] == "2026-01-13 10:00"
    assert conflict.message.startswith(
        "'Language café' (cafe-a) (Caritas) and 'Deutsch-Treff am Markt' (kurs-d) "
        "(Diakonie) are for the same people (Newcomers) in 05374012 at the same time: ")
    # the same provider twice is named once
    assert conflicts[("cafe-a", "cafe-a-copy")].suggestion.startswith("Caritas could agree")


def test_conflict_window_follows_the_settings(net: Network) -> None:
    rule = next(r for r in BUILTIN_RULES if r.id == "schedule-conflict")
    after = RuleContext({"from": "2026-12-16"}, today=TODAY)
    assert list(rule.check(net, after)) == []  # all series end on 2026-12-15
    during = RuleContext({"from": "2026-06-01", "days": 0}, today=date(2026, 6, 3))
    [first, *_] = [f for f in rule.check(net, during) if f.subjects == ("cafe-a", "kurs-d")]
    assert first.evidence["first"] == "2026-06-02 10:00"


def test_coverage_gap_per_municipality_and_topic_family(findings: list[Finding]) -> None:
    gaps = [(f.subjects, f.evidence["topic"]) for f in findings if f.rule == "coverage-gap"]
    assert sorted(gaps) == [((WB,), "cohesion"), ((WB,), "counselling")]
    gap = next(f for f in findings if f.rule == "coverage-gap")
    assert gap.evidence["candidates"] == ("caritas",)


def test_coverage_gap_topics_parameter(net: Network) -> None:
    rule = next(r for r in BUILTIN_RULES if r.id == "coverage-gap")
    found = list(rule.check(net, RuleContext({"topics": ["health", "language"]})))
    assert sorted((f.subjects[0], f.evidence["topic"]) for f in found) == [
        (GM, "health"), (WB, "health")]
    assert "The KI could look for a provider" in found[0].suggestion


def test_language_gap_lists_missing_main_languages(findings: list[Finding]) -> None:
    gaps = of(findings, "language-gap")
    assert gaps[(GM,)].evidence["missing"] == ("tr",)
    assert gaps[(WB,)].evidence["missing"] == ("ar", "tr")
    assert gaps[(WB,)].message == ("None of the 1 offer in 05374044 is available in Arabic "
                                   "and Turkish")
    # migrant organisations that speak the languages are named as the bridge
    assert gaps[(WB,)].evidence["speakers"] == ("verein-b", "verein-a")


def test_isolated_actors(findings: list[Finding]) -> None:
    isolated = of(findings, "isolated-actor")
    assert set(isolated) == {("verein-a",), ("verein-b",), ("verein-c",)}
    assert isolated[("verein-c",)].evidence["reason"] == "no_relations"
    assert isolated[("verein-a",)].evidence["reason"] == "no_tie_to_administration_or_provider"
    assert all(f.severity is Severity.WARNING for f in isolated.values())
    # whom to talk to: the actor it shares topics and places with, else the administration
    assert isolated[("verein-c",)].evidence["introduce_to"] == ("caritas",)
    assert isolated[("verein-a",)].evidence["introduce_to"] == ("ki",)


def test_suggested_introduction(findings: list[Finding]) -> None:
    [intro] = of(findings, "suggested-introduction").values()
    assert intro.subjects == ("caritas", "verein-c")
    assert intro.evidence["topics"] == ("cohesion.encounter",)


def test_suggested_introductions_beyond_the_limit_are_counted(tmp_path: Path) -> None:
    actors: list[dict[str, Any]] = [
        {"id": f"a{i}", "name": f"Akteur {i}", "kind": "volunteer_group",
         "municipalities": [GM], "topics": ["cohesion.encounter"]} for i in range(5)]
    net = load(write_network(tmp_path / "net", {**FILES, "actors.yaml": actors,
                                                "offers.yaml": [], "relations.yaml": []}),
               bare_plugin_manager())
    rule = next(r for r in BUILTIN_RULES if r.id == "suggested-introduction")
    found = list(rule.check(net, RuleContext({"limit": 4})))
    assert len(found) == 5  # 10 pairs: 4 listed, one finding for the 6 others
    assert found[-1].subjects == ()
    assert found[-1].evidence == {"not_listed": 6, "limit": 4}
    assert found[-1].message == "6 more possible introductions are not listed"


def test_expired_and_stale_offers(findings: list[Finding]) -> None:
    assert list(of(findings, "expired-offer")) == [("beratung-alt",)]
    assert of(findings, "expired-offer")[("beratung-alt",)].message == (
        "'Migrationsberatung 2025' (beratung-alt) ended on Dec 31, 2025")
    # one-off in 2025: nothing ahead; offers without schedule are never stale
    assert list(of(findings, "stale-offer")) == [("fest-vorbei",)]


def test_today_is_injectable(net: Network) -> None:
    later = run_rules(net, today=date(2026, 12, 20), only=["stale-offer", "expired-offer"])
    stale = {f.subjects[0] for f in later.findings if f.rule == "stale-offer"}
    assert {"cafe-a", "kurs-d", "fest-vorbei"} <= stale  # weekly until 2026-12-15
    expired = {f.subjects[0] for f in later.findings if f.rule == "expired-offer"}
    assert expired == {"beratung-alt"}


def test_missing_contact_judges_what_the_public_sees(findings: list[Finding]) -> None:
    # kurs-d has a phone number, but for partners only, and Diakonie has none
    assert list(of(findings, "missing-contact")) == [("kurs-d",)]


def test_missing_location(findings: list[Finding]) -> None:
    assert list(of(findings, "missing-location")) == [("treff-ohne-ort",)]


def test_german_messages(net: Network) -> None:
    result = run_rules(net, language="de", today=TODAY)
    assert of(result.findings, "expired-offer")[("beratung-alt",)].message == (
        "'Migrationsberatung 2025' (beratung-alt) ist am 31.12.2025 abgelaufen")
    gaps = of(result.findings, "language-gap")
    assert gaps[(GM,)].message == "Keines der 5 Angebote in 05374012 gibt es auf Türkisch"
    assert gaps[(WB,)].message == (
        "Das 1 Angebot in 05374044 gibt es nicht auf Arabisch und Türkisch")
    assert of(result.findings, "schedule-conflict")[("cafe-a", "kurs-d")].message == (
        "'Sprachcafé' (cafe-a) (Caritas) und 'Deutsch-Treff am Markt' (kurs-d) (Diakonie) "
        "richten sich zur selben Zeit an dieselben Menschen (Neuzugewanderte) in 05374012: "
        "49-mal, zuerst am 13.01.26, 10:00")
    assert of(result.findings, "duplicate-offer")[("cafe-a", "cafe-a-copy")].message == (
        "'Sprachcafé' (cafe-a) und 'Sprachcafé' (cafe-a-copy) sind ein und dasselbe Angebot, "
        "doppelt erfasst")
