"""builtin/exporters.py: the json and jsonl exporters as a plugin author meets them through
``ki_network.Hooks.exporters``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ki_network import Hooks, Network, load
from ki_network.datadir.records import KINDS
from ki_network.plugin.contracts import Exporter
from ki_network.testing import TINY, bare_plugin_manager, write_network

MODULE = "ki_network.builtin.exporters"


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Network:
    offers = [*TINY["offers.yaml"],
              {"id": "intern", "title": "Teamsitzung", "provider": "ki", "visibility": "internal",
               "valid_from": "2026-09-01"}]
    decisions = [{"a": "cafe-gm", "b": "intern", "verdict": "distinct", "on": "2026-02-01"}]
    directory = write_network(tmp_path_factory.mktemp("exporters") / "net", offers=offers,
                              decisions=decisions)
    return load(directory, bare_plugin_manager())


def exporters(net: Network) -> dict[str, Exporter]:
    return {e.name: e for e in net.hooks.exporters()}


def test_the_builtin_exporters_are_contributed_by_their_module(net: Network) -> None:
    found = exporters(net)
    assert {"json", "jsonl"} <= set(found)
    for name, suffix in (("json", ".json"), ("jsonl", ".jsonl")):
        exporter = found[name]
        assert isinstance(exporter, Exporter)
        assert exporter.suffix == suffix and exporter.description
        assert net.hooks.contributor(exporter) == MODULE


def test_json_is_one_document_grouped_by_kind(net: Network, tmp_path: Path) -> None:
    out = tmp_path / "net.json"
    exporters(net)["json"].export(net.for_audience("internal"), out, {"audience": "internal"})
    document = json.loads(out.read_text(encoding="utf-8"))
    assert list(document) == ["network", *KINDS]
    assert document["network"] == {"name": "Tiny", "region": None, "timezone": "Europe/Berlin",
                                   "audience": "internal"}
    assert [o["id"] for o in document["offers"]] == ["cafe-gm", "intern"]
    assert document["offers"][1]["valid_from"] == "2026-09-01"  # dates as ISO text
    assert document["decisions"] == [{"a": "cafe-gm", "b": "intern", "verdict": "distinct",
                                      "on": "2026-02-01"}]
    assert "Sprachcafé" in out.read_text(encoding="utf-8")  # not escaped as \\u00e9


def test_json_for_the_public_leaves_out_what_is_restricted(net: Network,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "public.json"
    exporters(net)["json"].export(net.for_audience("public"), out, {"audience": "public"})
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["network"]["audience"] == "public"
    assert [o["id"] for o in document["offers"]] == ["cafe-gm"]
    assert "Teamsitzung" not in out.read_text(encoding="utf-8")


def test_jsonl_is_one_tagged_record_a_line(net: Network, tmp_path: Path) -> None:
    out = tmp_path / "net.jsonl"
    exporters(net)["jsonl"].export(net.for_audience("internal"), out, {"audience": "internal"})
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    tags = [line["record"] for line in lines]
    assert tags == ["actor"] * 3 + ["offer"] * 2 + ["event", "relation", "decision"]
    assert lines[0] == {"record": "actor", "id": "ki", "name": "Kommunales Integrationszentrum",
                        "kind": "administration", "municipalities": ["05374012"],
                        "contact": {"email": "ki@ki.example"}}


def test_jsonl_lines_load_back_as_a_data_directory(net: Network, tmp_path: Path) -> None:
    out = tmp_path / "net.jsonl"
    exporters(net)["jsonl"].export(net.for_audience("internal"), out, {"audience": "internal"})
    by_kind: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for line in out.read_text(encoding="utf-8").splitlines():
        record: dict[str, Any] = json.loads(line)
        by_kind[record.pop("record") + "s"].append(json.dumps(record, ensure_ascii=False))
    directory = write_network(tmp_path / "again", {"network.yaml": TINY["network.yaml"]})
    for kind, lines in by_kind.items():
        (directory / f"{kind}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    again = load(directory, bare_plugin_manager())
    assert dict(again.actors) == dict(net.actors) and dict(again.offers) == dict(net.offers)
    assert dict(again.events) == dict(net.events) and again.relations == net.relations
    assert again.decisions == net.decisions


def test_an_export_replaces_the_whole_file(net: Network, tmp_path: Path) -> None:
    out = tmp_path / "net.json"
    out.write_text("x" * 100_000, encoding="utf-8")
    exporters(net)["json"].export(net.for_audience("public"), out, {})
    json.loads(out.read_text(encoding="utf-8"))
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]  # no temporary file left


def test_switched_off_the_builtin_exporters_are_gone() -> None:
    hooks = Hooks(bare_plugin_manager()).without([MODULE])
    assert not {"json", "jsonl"} & {e.name for e in hooks.exporters()}
