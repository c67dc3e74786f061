"""The Oberberg region pack, checked against published facts in ``../shared/domain``."""

from __future__ import annotations

import csv
import json
from datetime import date
from importlib.metadata import entry_points, version
from pathlib import Path

import ki_network_oberberg
import pytest
from click.testing import CliRunner
from ki_network_oberberg import cleanup, region

from ki_network import DataError, Hooks, load
from ki_network.cli import main
from ki_network.testing import TINY, bare_plugin_manager, write_network

REPO = Path(__file__).resolve().parents[3]
DOMAIN = REPO.parent / "shared" / "domain"
needs_domain = pytest.mark.skipif(
    not DOMAIN.is_dir(), reason=f"the domain facts folder {DOMAIN} is not next to the repository")


def read_facts(name: str) -> list[dict[str, str]]:
    with (DOMAIN / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def hooks() -> Hooks:
    return Hooks(bare_plugin_manager(ki_network_oberberg))


# -- municipalities ------------------------------------------------------------------------


@needs_domain
def test_thirteen_municipalities_with_the_official_ags(hooks: Hooks) -> None:
    facts = {r["ags"]: r for r in read_facts("municipalities.csv") if r["kreis_ags"] == "05374"}
    found = hooks.region_municipalities("oberberg")
    assert found is not None
    assert len(found) == 13
    assert {m.ags: m.name for m in found} == {ags: r["name"] for ags, r in facts.items()}
    assert {m.ags: m.population for m in found} == {
        ags: int(r["population"]) for ags, r in facts.items()}


def test_municipalities_carry_the_district_languages(hooks: Hooks) -> None:
    found = hooks.region_municipalities("Oberberg") or []
    assert all(m.main_languages == ("de", "tr", "ar", "uk", "ru", "pl", "ro") for m in found)
    assert all(m.ags.startswith("05374") and len(m.ags) == 8 for m in found)


def test_other_regions_are_not_ours(hooks: Hooks) -> None:
    assert hooks.region_municipalities("rhein-berg") is None
    assert hooks.closed_days("rhein-berg", 2026) == []
    assert hooks.label_aliases("rhein-berg") == {}


# -- closed days ---------------------------------------------------------------------------


def test_closed_days_2026_include_fronleichnam_and_the_summer_holidays(hooks: Hooks) -> None:
    days = hooks.closed_days("oberberg", 2026)
    assert (date(2026, 6, 4), date(2026, 6, 4), "Fronleichnam", "public_holiday") in [
        (d.first, d.last, d.name, d.kind) for d in days]
    summer = [d for d in days if d.kind == "school_holiday" and d.first.month == 7]
    assert [(d.first, d.last, d.name) for d in summer] == [
        (date(2026, 7, 20), date(2026, 9, 1), "Sommerferien")]


@needs_domain
@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_public_holidays_match_the_published_dates(year: int) -> None:
    facts = {(date.fromisoformat(r["date"]), r["name_de"])
             for r in read_facts("nrw_public_holidays_2025_2027.csv")
             if r["subdivision"] == "NW" and r["date"].startswith(str(year))}
    found = {(d.first, d.name) for d in region.closed_days(year) if d.kind == "public_holiday"}
    assert found == facts
    assert len(found) == 11


@needs_domain
def test_school_holidays_match_the_published_spans() -> None:
    facts = {(date.fromisoformat(r["first_day"]), date.fromisoformat(r["last_day"]), r["name_de"])
             for r in read_facts("nrw_school_holidays_2025_2027.csv") if r["subdivision"] == "NW"}
    found = {(d.first, d.last, d.name) for year in (2025, 2026, 2027)
             for d in region.closed_days(year) if d.kind == "school_holiday"}
    assert found == facts


def test_a_school_holiday_across_new_year_is_one_span_in_both_years() -> None:
    def christmas(year: int) -> set[tuple[date, date]]:
        return {(d.first, d.last) for d in region.closed_days(year) if d.name == "Weihnachtsferien"}

    assert (date(2025, 12, 22), date(2026, 1, 6)) in christmas(2025) & christmas(2026)


def test_years_without_school_data_are_named() -> None:
    known = region.school_years_known(2020, 2040)
    assert {2025, 2026, 2027} <= set(known)
    later = max(known) + 1
    assert all(d.kind == "public_holiday" for d in region.closed_days(later))


def test_network_closed_on_uses_the_pack(tmp_path: Path) -> None:
    net = load(write_network(tmp_path, network={**TINY["network.yaml"], "region": "oberberg"}),
               bare_plugin_manager(ki_network_oberberg))
    assert [d.name for d in net.closed_on(date(2026, 6, 4))] == ["Fronleichnam"]
    assert [d.name for d in net.closed_on(date(2026, 8, 3))] == ["Sommerferien"]
    assert net.closed_on(date(2026, 6, 9)) == []


# -- vocabulary ----------------------------------------------------------------------------


def test_every_alias_names_a_topic_of_the_taxonomy(hooks: Hooks) -> None:
    topics = {t.id for t in hooks.topics()}
    aliases = hooks.label_aliases("oberberg")
    assert {"Elterncafé", "Deutschtreff", "Sprachtreff", "Frauenfrühstück", "Hausaufgabenhilfe",
            "Seiteneinsteigerberatung", "Integrationsagentur"} <= set(aliases)
    assert {label: topic for label, topic in aliases.items() if topic not in topics} == {}


def test_local_labels_become_topics_when_loaded(tmp_path: Path) -> None:
    offer = {**TINY["offers.yaml"][0], "topic": "deutschtreff"}
    actor = {**TINY["actors.yaml"][1], "topics": ["Elterncafé", "Frauenfrühstück"]}
    directory = write_network(tmp_path, network={**TINY["network.yaml"], "region": "oberberg"},
                              offers=[offer], actors=[TINY["actors.yaml"][0], actor,
                                                      TINY["actors.yaml"][2]])
    net = load(directory, bare_plugin_manager(ki_network_oberberg))
    assert net.offers["cafe-gm"].topic == "language.informal"
    assert net.actors["caritas"].topics == ("early_childhood.parent_counselling",
                                            "cohesion.encounter")


# -- clean-up ------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "proper"), [
    ("GM", "Gummersbach"), ("Gummersbach-Mitte", "Gummersbach"), ("Derschlag", "Gummersbach"),
    ("  Gummersbach ", "Gummersbach"), ("51643 Gummersbach", "Gummersbach"),
    ("Waldbroel", "Waldbröl"), ("waldbröl", "Waldbröl"), ("Huckeswagen", "Hückeswagen"),
    ("Hueckeswagen", "Hückeswagen"), ("Nuembrecht", "Nümbrecht"), ("Wiehl-Bielstein", "Wiehl"),
    ("Reichshof (Eckenhagen)", "Reichshof"), ("Rade", "Radevormwald"),
])
def test_local_spellings_of_municipalities(written: str, proper: str) -> None:
    assert cleanup.canonical_municipality(written) == proper


@pytest.mark.parametrize("written", ["Köln", "Gummi", "", "05374012", "Bergisch Gladbach"])
def test_other_places_are_left_alone(written: str) -> None:
    record = {"municipality": written}
    cleanup.normalize(record)
    assert record["municipality"] == written.strip()


def test_records_are_cleaned_before_validation(tmp_path: Path) -> None:
    offer = {**TINY["offers.yaml"][0], "municipality": "Waldbroel ", "location": " Talweg 1  "}
    actors = [{**TINY["actors.yaml"][0], "municipalities": ["Oberbergischer Kreis"]},
              {**TINY["actors.yaml"][1], "municipalities": ["GM", "Huckeswagen"]},
              TINY["actors.yaml"][2]]
    event = {**TINY["events.yaml"][0], "municipality": "Wiehl-Bielstein"}
    directory = write_network(tmp_path, network={**TINY["network.yaml"], "region": "oberberg"},
                              offers=[offer], actors=actors, events=[event])
    net = load(directory, bare_plugin_manager(ki_network_oberberg))
    assert net.offers["cafe-gm"].municipality == "05374044"
    assert net.offers["cafe-gm"].location == "Talweg 1"
    assert len(net.actors["ki"].municipalities) == 13
    assert net.actors["caritas"].municipalities == ("05374012", "05374016")
    assert net.events["fest"].municipality == "05374048"


def test_unknown_places_are_still_reported(tmp_path: Path) -> None:
    offer = {**TINY["offers.yaml"][0], "municipality": "Waldbrühl"}
    directory = write_network(tmp_path, network={**TINY["network.yaml"], "region": "oberberg"},
                              offers=[offer])
    with pytest.raises(DataError, match=r"unknown municipality 'Waldbrühl'.*Waldbröl"):
        load(directory, bare_plugin_manager(ki_network_oberberg))


def test_networks_of_other_regions_are_not_touched(tmp_path: Path) -> None:
    offer = {**TINY["offers.yaml"][0], "topic": "Deutschtreff"}
    directory = write_network(tmp_path, offers=[offer])  # no region
    with pytest.raises(DataError, match="unknown topic 'Deutschtreff'"):
        load(directory, bare_plugin_manager(ki_network_oberberg))


# -- installation --------------------------------------------------------------------------


def test_installed_through_the_entry_point() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="ki_network")}
    assert found.get("oberberg") == "ki_network_oberberg"


def test_listed_by_ki_network_plugins_with_its_version() -> None:
    result = CliRunner().invoke(main, ["plugins", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = {p["name"]: p for p in json.loads(result.output)["plugins"]}
    assert listed["oberberg"]["version"] == version("ki-network-oberberg")
    assert listed["oberberg"]["builtin"] is False
    assert set(listed["oberberg"]["hooks"]) == {
        "ki_network_region_municipalities", "ki_network_closed_days",
        "ki_network_label_aliases", "ki_network_normalize_record"}


EXAMPLE = REPO / "examples" / "oberberg"


@pytest.mark.skipif(not (EXAMPLE / "network.yaml").exists(),
                    reason=f"the example network {EXAMPLE} is not there")
def test_the_example_network_is_an_oberberg_network() -> None:
    runner = CliRunner()
    listed = json.loads(runner.invoke(main, ["plugins", str(EXAMPLE), "--format", "json"]).output)
    assert "oberberg" in {p["name"] for p in listed["plugins"]}
    info = runner.invoke(main, ["info", str(EXAMPLE), "--format", "json"])
    assert info.exit_code == 0, info.output
    summary = json.loads(info.output)
    assert summary["region"] == "oberberg"
    assert summary["counts"]["municipalities"] == 13
    net = load(EXAMPLE)
    days = {(d.first, d.last, d.name) for d in net.closed_days(2027)}  # the example's school year
    assert (date(2027, 5, 27), date(2027, 5, 27), "Fronleichnam") in days
    assert (date(2027, 7, 19), date(2027, 8, 31), "Sommerferien") in days
