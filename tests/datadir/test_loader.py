"""load(): the data directory in YAML and JSON Lines, plugins at the joints."""

from __future__ import annotations

import copy
import gc
import json
from pathlib import Path
from typing import Any

import pluggy
import pytest

from ki_network import DataError, PluginError, hookimpl, load
from ki_network.network import Network
from ki_network.testing import TINY, bare_plugin_manager, write_network


def as_jsonl(directory: Path, kind: str) -> Path:
    """Replace ``kind``.yaml by ``kind``.jsonl with the same records."""
    records = TINY[f"{kind}.yaml"]
    (directory / f"{kind}.yaml").unlink()
    path = directory / f"{kind}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def test_load_tiny(tiny_dir: Path, pm: pluggy.PluginManager) -> None:
    net = load(tiny_dir, pm)
    assert isinstance(net, Network)
    assert list(net.actors) == ["ki", "caritas", "verein"]
    offer = net.offers["cafe-gm"]
    assert offer.title.get("en") == "Language café"
    assert offer.schedule[0].rrule == "FREQ=WEEKLY;BYDAY=TU"
    assert net.events["fest"].organisers == ("ki", "verein")
    assert net.record_files == {k: tiny_dir / f"{k}.yaml"
                                for k in ("actors", "offers", "events", "relations")}
    assert net.directory == tiny_dir
    assert load(str(tiny_dir), pm).offers == net.offers  # a str path works too


def test_jsonl_and_yaml_give_the_same_network(tiny_dir: Path, tmp_path: Path,
                                              pm: pluggy.PluginManager) -> None:
    expected = load(tiny_dir, pm)
    for kind in ("actors", "offers", "events", "relations"):
        as_jsonl(tiny_dir, kind)
    net = load(tiny_dir, pm)
    assert (net.actors, net.offers, net.events, net.relations) == (
        expected.actors, expected.offers, expected.events, expected.relations)
    assert net.record_files["offers"] == tiny_dir / "offers.jsonl"
    assert str(net.origins["caritas"]) == f"{tiny_dir / 'actors.jsonl'}:2:1"


def test_jsonl_problems_name_the_line(tiny_dir: Path, pm: pluggy.PluginManager) -> None:
    path = as_jsonl(tiny_dir, "relations")
    path.write_text(
        '{"source": "ki", "target": "caritas", "kind": "cooperates"}\n'
        "\n"  # blank lines are fine
        '{"source": "ki", "target": "verein", kind: "funds"}\n'
        '["not", "an", "object"]\n'
        '{"source": "ki", "target": "nobody", "kind": "funds"}\n', encoding="utf-8")
    with pytest.raises(DataError) as raised:
        load(tiny_dir, pm)
    assert [str(p) for p in raised.value.problems] == [
        f"{path}:3:38: not valid JSON: Expecting property name enclosed in double quotes",
        f"{path}:4:1: each line must be one JSON object",
        f"{path}:5:1: unknown actor 'nobody'",
    ]


def test_two_files_for_one_kind_is_a_problem(tiny_dir: Path, pm: pluggy.PluginManager) -> None:
    (tiny_dir / "offers.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(DataError) as raised:
        load(tiny_dir, pm)
    assert [str(p) for p in raised.value.problems] == [
        f"{tiny_dir / 'offers.jsonl'}: offers are in offers.yaml and offers.jsonl; "
        "keep one of them"]


def test_dataerror_carries_all_problems_sorted(tiny_dir: Path, pm: pluggy.PluginManager) -> None:
    (tiny_dir / "relations.yaml").write_text(
        "- {source: ki, target: x, kind: funds}\n- {source: y, target: ki, kind: funds}\n",
        encoding="utf-8")
    (tiny_dir / "network.yaml").write_text("name: T\ntimezone: Europe/Gummersbach\n",
                                           encoding="utf-8")
    with pytest.raises(DataError) as raised:
        load(tiny_dir, pm)
    problems = raised.value.problems
    assert [Path(p.origin.path).name for p in problems] == [
        "network.yaml", "relations.yaml", "relations.yaml"]
    assert problems[0].message == "unknown time zone 'Europe/Gummersbach'"
    assert str(raised.value).count("\n") == 2


class Tidy:
    """A plugin that cleans names before they are checked, and counts what it saw."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @hookimpl
    def ki_network_normalize_record(self, kind: str, record: dict[str, Any]) -> None:
        self.seen.append(kind)
        if kind == "actors":
            record["name"] = " ".join(str(record["name"]).split())


def test_normalize_hook_sees_every_record(tiny_dir: Path) -> None:
    tidy = Tidy()
    (tiny_dir / "actors.yaml").write_text(
        (tiny_dir / "actors.yaml").read_text(encoding="utf-8").replace(
            "name: Caritas", "name: '  Caritas   Oberberg '"), encoding="utf-8")
    net = load(tiny_dir, bare_plugin_manager(tidy))
    assert net.actors["caritas"].name == "Caritas Oberberg"
    assert sorted(tidy.seen) == ["actors"] * 3 + ["events", "offers", "relations"]


def test_plugins_false_switches_a_plugin_off_for_this_network(tiny_dir: Path) -> None:
    tidy = Tidy()
    pm = bare_plugin_manager()
    pm.register(tidy, name="tidy")
    (tiny_dir / "network.yaml").write_text("name: T\nplugins: {tidy: false}\n",
                                           encoding="utf-8")
    load(tiny_dir, pm)
    assert tidy.seen == []
    assert pm.get_plugin("tidy") is tidy  # the manager itself is not changed


class Broken:
    @hookimpl
    def ki_network_normalize_record(self, kind: str, record: dict[str, Any]) -> None:
        raise KeyError("postcode")


def test_a_failing_plugin_is_named(tiny_dir: Path) -> None:
    pm = bare_plugin_manager()
    pm.register(Broken(), name="broken-plugin")
    with pytest.raises(PluginError) as raised:
        load(tiny_dir, pm)
    assert str(raised.value) == ("plugin 'broken-plugin' failed in hook "
                                 "ki_network_normalize_record: KeyError: 'postcode'")


class Picky:
    @hookimpl
    def ki_network_loaded(self, network: Network) -> None:
        raise DataError([])


def test_cycle_collector_is_back_on_after_loading(tiny_dir: Path) -> None:
    assert gc.isenabled()
    load(tiny_dir, bare_plugin_manager())
    assert gc.isenabled()
    with pytest.raises(DataError):
        load(tiny_dir, bare_plugin_manager(Picky()))
    assert gc.isenabled()
    gc.disable()
    try:
        load(tiny_dir, bare_plugin_manager())
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_unknown_fields_are_kept(tmp_path: Path, pm: pluggy.PluginManager,
                                 tiny_files: dict[str, Any]) -> None:
    tiny_files["offers.yaml"][0]["room"] = {"floor": 2, "accessible": True}
    tiny_files["offers.yaml"][0]["schedule"][0]["note"] = "not in the holidays"
    tiny_files["actors.yaml"][0]["contact"]["fax"] = "02261 9"
    net = load(write_network(tmp_path / "net", tiny_files), pm)
    offer = net.offers["cafe-gm"]
    assert offer.extra == {"room": {"floor": 2, "accessible": True}}
    assert offer.schedule[0].extra == {"note": "not in the holidays"}
    assert net.actors["ki"].contact.extra == {"fax": "02261 9"}


def test_jsonl_edge_lines(tiny_dir: Path, pm: pluggy.PluginManager) -> None:
    path = as_jsonl(tiny_dir, "relations")
    path.write_text(
        '  {"source": "ki", "target": "caritas", "kind": "cooperates"}  \n'  # spaces: fine
        '{"source": "ki", "target": "verein", "kind": "funds"} {}\n'
        '{"source": "ki", "target": "verein", "kind": "funds"}', encoding="utf-8")  # no \n
    with pytest.raises(DataError) as raised:
        load(tiny_dir, pm)
    assert [str(p) for p in raised.value.problems] == [
        f"{path}:2:55: not valid JSON: Extra data"]


def test_objects_frozen_by_the_program_stay_frozen(tiny_dir: Path) -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        load(tiny_dir, bare_plugin_manager())
        assert gc.get_freeze_count() > frozen // 2  # not unfrozen (some were freed since)
    finally:
        gc.unfreeze()
    load(tiny_dir, bare_plugin_manager())
    assert gc.get_freeze_count() == 0  # loading leaves nothing frozen


def test_progress_is_told_how_many_records_are_built(tmp_path: Path) -> None:
    # deep copies: shared sub-objects would be written as YAML aliases, which loading refuses
    offers = [{**copy.deepcopy(TINY["offers.yaml"][0]), "id": f"cafe-{n}"} for n in range(12_000)]
    directory = write_network(tmp_path / "net", offers=offers)
    calls: list[tuple[int, int]] = []
    load(directory, bare_plugin_manager(), progress=lambda done, total: calls.append((done,
                                                                                        total)))
    total = 3 + 12_000 + 1 + 1
    assert calls == [(5000, total), (10000, total), (total, total)]
