"""datadir/serialize.py: model objects back to records, for every kind; defaults left out;
records loaded again give equal objects."""

from __future__ import annotations

import copy
import importlib.util
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from ki_network import (
    Actor,
    Contact,
    Decision,
    Event,
    Network,
    Relation,
    RelationKind,
    Schedule,
    Text,
    load,
)
from ki_network.datadir.records import KINDS
from ki_network.datadir.serialize import (
    DEFAULTS,
    plain,
    record_key,
    records_of,
    time_text,
    to_record,
)
from ki_network.testing import TINY, bare_plugin_manager, tiny_network, write_network

GM = "05374012"


def rich_files() -> dict[str, Any]:
    """The tiny network with every kind, every field and some unknown fields."""
    files = copy.deepcopy(dict(TINY))
    files["actors.yaml"].append({
        "id": "schule", "name": "Grundschule am Park", "kind": "school",
        "municipalities": [GM], "address": "Parkstraße 1", "languages": ["de", "tr"],
        "topics": ["school"], "visibility": "partners",
        "description": {"de": "Offene Ganztagsschule", "en": "All-day school"},
        "geo": {"lat": 51.03, "lon": 7.56},
        "contact": {"email": "info@schule.example", "phone": "+49 2261 1234",
                    "website": "https://schule.example", "person": "Frau A.",
                    "visibility": "internal", "fax": "02261 1235"},
        "founded": 1972})
    files["offers.yaml"].append({
        "id": "hausaufgaben", "title": "Hausaufgabenhilfe", "description": "Montags und mittwochs",
        "provider": "schule", "partners": ["verein"], "topic": "school.daz",
        "target_groups": ["pupils"], "languages": ["de"], "municipality": GM,
        "location": "Parkstraße 1", "geo": {"lat": 51.03, "lon": 7.56}, "programme": "griffbereit",
        "contact": {"person": "Herr B."}, "url": "https://schule.example/hausaufgaben",
        "schedule": [
            {"start": "2026-09-07T14:00", "end": "2026-09-07T15:30",
             "rrule": "FREQ=WEEKLY;BYDAY=MO,WE", "until": "2027-06-30",
             "exdates": ["2026-10-12"], "rdates": ["2026-10-13T14:00"], "room": "B12"},
            {"start": "2026-12-21", "end": "2026-12-23"}],
        "valid_from": "2026-09-01", "valid_to": "2027-07-01", "visibility": "partners",
        "x-source": "Schulportal"})
    files["events.yaml"].append({
        "id": "elternabend", "title": {"de": "Elternabend", "tr": "Veli toplantısı"},
        "organisers": ["schule", "ki"], "topic": "school.daz", "target_groups": ["parents"],
        "languages": ["de", "tr"], "municipality": GM, "location": "Aula",
        "start": "2026-10-01T19:00", "end": "2026-10-01T20:30:15", "status": "tentative",
        "uid": "elternabend@schule.example", "visibility": "internal",
        "contact": {"email": "eltern@schule.example"}})
    files["relations.yaml"].append({
        "source": "ki", "target": "schule", "kind": "funds", "programme": "KOMM-AN NRW",
        "since": "2024-01-01", "note": "Elternarbeit", "visibility": "internal", "budget": 5000})
    files["decisions.yaml"] = [{"a": "hausaufgaben", "b": "cafe-gm", "verdict": "distinct",
                                "note": "different things", "by": "mk", "on": "2026-02-01",
                                "ticket": 17}]
    return files


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Network:
    directory = write_network(tmp_path_factory.mktemp("rich") / "net", rich_files())
    return load(directory, bare_plugin_manager())


# -- each kind --------------------------------------------------------------------------------


def test_actor_record(rich: Network) -> None:
    record = to_record(rich.actors["schule"], rich)
    assert record == {
        "id": "schule", "name": "Grundschule am Park", "kind": "school",
        "municipalities": [GM], "address": "Parkstraße 1", "languages": ["de", "tr"],
        "topics": ["school"],
        "contact": {"email": "info@schule.example", "phone": "+49 2261 1234",
                    "website": "https://schule.example", "person": "Frau A.",
                    "visibility": "internal", "fax": "02261 1235"},
        "visibility": "partners",
        "description": {"de": "Offene Ganztagsschule", "en": "All-day school"},
        "geo": {"lat": 51.03, "lon": 7.56}, "founded": 1972}


def test_offer_record(rich: Network) -> None:
    record = to_record(rich.offers["hausaufgaben"], rich)
    assert record["title"] == "Hausaufgabenhilfe"  # a plain text stays plain
    assert record["description"] == "Montags und mittwochs"
    assert record["schedule"] == [
        {"start": "2026-09-07T14:00", "end": "2026-09-07T15:30",
         "rrule": "FREQ=WEEKLY;BYDAY=MO,WE", "until": date(2027, 6, 30),
         "exdates": [date(2026, 10, 12)], "rdates": ["2026-10-13T14:00"], "room": "B12"},
        {"start": date(2026, 12, 21), "end": date(2026, 12, 23)}]
    assert (record["valid_from"], record["valid_to"]) == (date(2026, 9, 1), date(2027, 7, 1))
    assert record["partners"] == ["verein"]
    assert record["contact"] == {"person": "Herr B."}
    assert record["programme"] == "griffbereit"
    assert record["visibility"] == "partners"
    assert record["x-source"] == "Schulportal"


def test_event_record_has_its_schedule_inline(rich: Network) -> None:
    record = to_record(rich.events["elternabend"], rich)
    assert record["title"] == {"de": "Elternabend", "tr": "Veli toplantısı"}
    assert record["organisers"] == ["schule", "ki"]
    assert record["start"] == "2026-10-01T19:00"
    assert record["end"] == "2026-10-01T20:30:15"  # seconds are kept when set
    assert "schedule" not in record
    assert record["status"] == "tentative"
    assert record["uid"] == "elternabend@schule.example"
    assert record["visibility"] == "internal"


def test_relation_record(rich: Network) -> None:
    funds = next(r for r in rich.relations if r.kind is RelationKind.FUNDS)
    assert to_record(funds, rich) == {
        "source": "ki", "target": "schule", "kind": "funds", "programme": "KOMM-AN NRW",
        "since": date(2024, 1, 1), "note": "Elternarbeit", "visibility": "internal",
        "budget": 5000}


def test_decision_record(rich: Network) -> None:
    assert to_record(rich.decisions[0], rich) == {
        "a": "hausaufgaben", "b": "cafe-gm", "verdict": "distinct", "note": "different things",
        "by": "mk", "on": date(2026, 2, 1), "ticket": 17}


def test_an_override_event_keeps_recurrence_id_and_this_and_future() -> None:
    net = tiny_network()
    override = Event(id="fest-moved", title="Fest", organisers=("ki",),
                     schedule=Schedule(datetime(2026, 9, 20, 14)), uid="fest@ki.example",
                     recurrence_id=datetime(2026, 9, 19, 14), this_and_future=True)
    record = to_record(override, net)
    assert record["recurrence_id"] == "2026-09-19T14:00"
    assert record["this_and_future"] is True


# -- defaults left out ---------------------------------------------------------------------------


def test_defaults_and_empty_fields_are_left_out() -> None:
    net = tiny_network()
    assert to_record(Actor(id="x", name="X"), net) == {"id": "x", "name": "X", "kind": "other"}
    assert to_record(Actor(id="x", name="X", calendar="feeds/x.ics"), net)["calendar"] == (
        "feeds/x.ics")
    assert to_record(net.events["fest"], net) == {
        "id": "fest", "title": "Interkulturelles Fest", "organisers": ["ki", "verein"],
        "topic": "cohesion.encounter", "municipality": GM,
        "start": "2026-09-19T14:00", "end": "2026-09-19T18:00"}  # no status, no visibility
    assert to_record(Relation("ki", "caritas", RelationKind.COOPERATES), net) == {
        "source": "ki", "target": "caritas", "kind": "cooperates"}
    assert to_record(Decision("a", "b", "same"), net) == {"a": "a", "b": "b", "verdict": "same"}
    assert DEFAULTS == {"visibility": "public", "status": "confirmed"}


def test_an_empty_contact_is_left_out_and_its_extra_kept() -> None:
    net = tiny_network()
    assert "contact" not in to_record(Actor(id="x", name="X", contact=Contact()), net)
    with_extra = Actor(id="x", name="X", contact=Contact(extra={"fax": "1"}))
    assert to_record(with_extra, net)["contact"] == {"fax": "1"}


@pytest.mark.skipif(importlib.util.find_spec("ki_network_oberberg") is None,
                    reason="the region plugin ki-network-oberberg is not installed")
def test_municipalities_are_written_by_name_when_the_region_knows_them(tmp_path: Path) -> None:
    import ki_network_oberberg

    files = copy.deepcopy(dict(TINY))
    files["network.yaml"] = {**files["network.yaml"], "region": "oberberg"}
    net = load(write_network(tmp_path, files), bare_plugin_manager(ki_network_oberberg))
    assert net.offers["cafe-gm"].municipality == GM  # stored as the code
    assert to_record(net.offers["cafe-gm"], net)["municipality"] == "Gummersbach"
    assert to_record(net.actors["ki"], net)["municipalities"] == ["Gummersbach"]


# -- round trip ---------------------------------------------------------------------------------


def test_records_load_back_to_equal_objects(rich: Network, tmp_path: Path) -> None:
    files: dict[str, Any] = {"network.yaml": dict(TINY["network.yaml"])}
    for kind in KINDS:
        files[f"{kind}.yaml"] = records_of(rich, kind)
    again = load(write_network(tmp_path, files), bare_plugin_manager())
    assert again.actors == rich.actors
    assert again.offers == rich.offers
    assert again.events == rich.events
    assert again.relations == rich.relations
    assert again.decisions == rich.decisions


def test_records_of_every_kind_in_data_order(rich: Network) -> None:
    assert [r["id"] for r in records_of(rich, "actors")] == ["ki", "caritas", "verein", "schule"]
    assert [r["id"] for r in records_of(rich, "offers")] == ["cafe-gm", "hausaufgaben"]
    assert [r["id"] for r in records_of(rich, "events")] == ["fest", "elternabend"]
    assert [r["kind"] for r in records_of(rich, "relations")] == ["cooperates", "funds"]
    assert len(records_of(rich, "decisions")) == 1
    with pytest.raises(KeyError):
        records_of(rich, "feeds")


def test_records_are_plain_for_any_writer(rich: Network) -> None:
    for kind in KINDS:
        for record in records_of(rich, kind):
            yaml.safe_dump(record)  # no tuples, no dict subclasses, no enums


# -- helpers -----------------------------------------------------------------------------------


def test_time_text() -> None:
    assert time_text(datetime(2026, 1, 13, 9, 30)) == "2026-01-13T09:30"
    assert time_text(datetime(2026, 1, 13, 9, 30, 5)) == "2026-01-13T09:30:05"
    assert time_text(datetime(2026, 1, 13, 9, 30, 0, 500)) == "2026-01-13T09:30:00.000500"
    assert time_text(datetime(2026, 1, 13, 8, 30, tzinfo=UTC)) == (
        "2026-01-13T08:30+00:00")
    assert time_text(datetime(2026, 1, 13, 9, tzinfo=timezone(timedelta(hours=1)))) == (
        "2026-01-13T09:00+01:00")
    assert time_text(date(2026, 1, 13)) == date(2026, 1, 13)


def test_plain() -> None:
    class Custom(dict[str, Any]):
        pass

    value = plain(Custom(a=(1, 2), b=[{"c": (3,)}], n=Text.of("x")))
    assert value == {"a": [1, 2], "b": [{"c": [3]}], "n": Text.of("x")}
    assert type(value) is dict and type(value["a"]) is list
    assert plain({1: "x"}) == {"1": "x"}


def test_record_key() -> None:
    assert record_key("offers", {"id": "cafe"}) == "cafe"
    assert record_key("relations", {"source": "ki", "target": "caritas",
                                    "kind": "funds"}) == "ki|caritas|funds"
    # a decision on a and b is the one on b and a
    assert record_key("decisions", {"a": "x", "b": "y"}) == record_key("decisions",
                                                                      {"a": "y", "b": "x"})
