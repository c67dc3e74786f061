"""datadir/records.py: the kinds, which file holds a kind, and the RecordSet sources fill."""

from __future__ import annotations

from pathlib import Path

import pytest

from ki_network import Origin, Problem
from ki_network.datadir.records import KINDS, SUFFIXES, RecordSet, list_file
from ki_network.datadir.yamlio import Record


def record(**fields: object) -> Record:
    return Record(fields, origin=Origin("offers.yaml", 1, 3))


def test_kinds_in_build_order_and_suffixes_in_search_order() -> None:
    assert KINDS == ("actors", "offers", "events", "relations", "decisions")
    assert SUFFIXES == (".yaml", ".yml", ".jsonl")


def test_list_file_prefers_yaml_then_yml_then_jsonl(tmp_path: Path) -> None:
    assert list_file(tmp_path, "offers") is None
    (tmp_path / "offers.jsonl").write_text("", encoding="utf-8")
    assert list_file(tmp_path, "offers") == tmp_path / "offers.jsonl"
    (tmp_path / "offers.yml").write_text("", encoding="utf-8")
    assert list_file(tmp_path, "offers") == tmp_path / "offers.yml"
    (tmp_path / "offers.yaml").write_text("", encoding="utf-8")
    assert list_file(tmp_path, "offers") == tmp_path / "offers.yaml"


def test_list_file_is_per_kind(tmp_path: Path) -> None:
    (tmp_path / "actors.yml").write_text("", encoding="utf-8")
    (tmp_path / "events.jsonl").write_text("", encoding="utf-8")
    assert list_file(tmp_path, "actors") == tmp_path / "actors.yml"
    assert list_file(tmp_path, "events") == tmp_path / "events.jsonl"
    assert list_file(tmp_path, "relations") is None


def test_list_file_ignores_other_suffixes(tmp_path: Path) -> None:
    (tmp_path / "offers.json").write_text("[]", encoding="utf-8")
    (tmp_path / "offers.YAML.bak").write_text("", encoding="utf-8")
    assert list_file(tmp_path, "offers") is None


def test_a_new_record_set_has_every_kind_and_nothing_in_it() -> None:
    records = RecordSet()
    assert list(records.records) == list(KINDS)
    assert all(v == [] for v in records.records.values())
    assert len(records) == 0
    assert records.problems == [] and records.files == {}


def test_add_keeps_order_per_kind_and_counts_all() -> None:
    records = RecordSet()
    first, second, actor = record(id="a"), record(id="b"), record(id="ki")
    records.add("offers", first)
    records.add("actors", actor)
    records.add("offers", second)
    assert records.records["offers"] == [first, second]
    assert records.records["offers"][0] is first
    assert records.records["actors"] == [actor]
    assert len(records) == 3


@pytest.mark.parametrize("kind", ["offer", "feeds", "Offers", ""])
def test_add_of_an_unknown_kind_is_refused(kind: str) -> None:
    records = RecordSet()
    with pytest.raises(ValueError, match=r"unknown record kind .*expected one of actors, "
                                         r"offers, events, relations, decisions"):
        records.add(kind, record(id="a"))
    assert len(records) == 0 and kind not in records.records


def test_problems_are_collected_in_order() -> None:
    records = RecordSet()
    one = Problem(Origin("offers.yaml", 3, 1), "first")
    two = Problem(Origin("actors.yaml", 1, 1), "second")
    records.problem(one)
    records.problem(two)
    assert records.problems == [one, two]
    assert len(records) == 0  # problems are not records


def test_record_sets_do_not_share_their_lists() -> None:
    one, other = RecordSet(), RecordSet()
    one.add("offers", record(id="a"))
    one.problem(Problem(Origin("x"), "p"))
    one.files["offers"] = Path("offers.yaml")
    assert len(other) == 0 and other.problems == [] and other.files == {}
