"""builtin/datadir.py: the data-directory source, as a plugin author meets it through
``ki_network.Hooks.read_records``: records with their positions, problems, and the file of
each kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ki_network import Hooks, NetworkConfig, Origin, hookimpl
from ki_network.datadir.records import RecordSet
from ki_network.datadir.yamlio import Record
from ki_network.testing import TINY, bare_plugin_manager, write_network

SOURCE = "ki_network.builtin.datadir"


@pytest.fixture
def hooks() -> Hooks:
    # the data directory source alone: the ICS source would read partner feeds
    return Hooks(bare_plugin_manager()).without(["ki_network.builtin.ics"])


def read(hooks: Hooks, directory: Path) -> RecordSet:
    records = RecordSet()
    hooks.read_records(directory, NetworkConfig(directory=directory), records)
    return records


def problems(records: RecordSet) -> list[str]:
    return [str(p) for p in records.problems]


def test_the_tiny_network_is_read_kind_by_kind(hooks: Hooks, tmp_path: Path) -> None:
    directory = write_network(tmp_path)
    records = read(hooks, directory)
    assert problems(records) == []
    assert [r["id"] for r in records.records["actors"]] == ["ki", "caritas", "verein"]
    assert [r["id"] for r in records.records["offers"]] == ["cafe-gm"]
    assert [r["id"] for r in records.records["events"]] == ["fest"]
    assert records.records["relations"] == [{"source": "ki", "target": "caritas",
                                             "kind": "cooperates"}]
    assert records.records["decisions"] == []
    assert records.files == {kind: directory / f"{kind}.yaml"
                             for kind in ("actors", "offers", "events", "relations")}


def test_records_remember_file_line_and_column(hooks: Hooks, tmp_path: Path) -> None:
    (tmp_path / "actors.yaml").write_text(
        "# the actors\n- id: ki\n  name: KI\n-   id: caritas\n    name: Caritas\n",
        encoding="utf-8")
    records = read(hooks, tmp_path)
    first, second = records.records["actors"]
    assert isinstance(first, Record)
    path = str(tmp_path / "actors.yaml")
    assert first.origin == Origin(path, 2, 3)
    assert first.origin_of("name") == Origin(path, 3, 3)
    assert second.origin == Origin(path, 4, 5)


def test_only_actors_are_required(hooks: Hooks, tmp_path: Path) -> None:
    assert problems(read(hooks, tmp_path)) == [f"{tmp_path / 'actors.yaml'}: file not found"]
    write_network(tmp_path, {"actors.yaml": TINY["actors.yaml"]})
    records = read(hooks, tmp_path)
    assert problems(records) == [] and list(records.files) == ["actors"]


def test_yml_is_read_too(hooks: Hooks, tmp_path: Path) -> None:
    (tmp_path / "actors.yml").write_text("- {id: ki, name: KI}\n", encoding="utf-8")
    records = read(hooks, tmp_path)
    assert problems(records) == []
    assert records.files["actors"] == tmp_path / "actors.yml"
    assert records.records["actors"] == [{"id": "ki", "name": "KI"}]


def test_json_lines_with_line_numbers(hooks: Hooks, tmp_path: Path) -> None:
    write_network(tmp_path, {"actors.yaml": TINY["actors.yaml"]})
    lines = ["\ufeff" + json.dumps({"id": "a", "title": "A", "provider": "ki"}), "",
             json.dumps({"id": "b", "title": "B", "provider": "ki"}) + "   "]
    (tmp_path / "offers.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = read(hooks, tmp_path)
    assert problems(records) == []
    a, b = records.records["offers"]
    assert (a["id"], b["id"]) == ("a", "b")
    assert (a.origin, b.origin) == (Origin(str(tmp_path / "offers.jsonl"), 1, 1),
                                    Origin(str(tmp_path / "offers.jsonl"), 3, 1))


def test_json_lines_problems_name_line_and_column(hooks: Hooks, tmp_path: Path) -> None:
    write_network(tmp_path, {"actors.yaml": TINY["actors.yaml"]})
    (tmp_path / "offers.jsonl").write_text(
        '{"id": "ok", "title": "A", "provider": "ki"}\n{"id": oops}\n[1, 2]\n"text"\n',
        encoding="utf-8")
    records = read(hooks, tmp_path)
    path = tmp_path / "offers.jsonl"
    assert problems(records) == [
        f"{path}:2:8: not valid JSON: Expecting value",
        f"{path}:3:1: each line must be one JSON object",
        f"{path}:4:1: each line must be one JSON object",
    ]
    assert [r["id"] for r in records.records["offers"]] == ["ok"]  # the good lines are kept


def test_yaml_and_json_lines_of_one_kind_is_a_problem(hooks: Hooks, tmp_path: Path) -> None:
    write_network(tmp_path)
    (tmp_path / "offers.jsonl").write_text("", encoding="utf-8")
    records = read(hooks, tmp_path)
    assert problems(records) == [f"{tmp_path / 'offers.jsonl'}: offers are in offers.yaml and "
                                 "offers.jsonl; keep one of them"]
    assert records.files["offers"] == tmp_path / "offers.yaml"  # YAML is the one read


@pytest.mark.parametrize(("text", "expected"), [
    ("id: ki\nname: KI\n", "actors.yaml:1:1: {path} must be a list of actors, one '- ' item each"),
    ("just text\n", "actors.yaml:1:1: {path} must be a list of actors, one '- ' item each"),
    ("- {id: ki, name: KI}\n- plain text\n", "actors.yaml:2:3: item 2 is not a mapping of "
                                            "fields"),
    ("- [id, ki]\n", "actors.yaml:1:3: item 1 is not a mapping of fields"),
    ("- {id: ki\n", "actors.yaml:2:1: not valid YAML: "),
])
def test_yaml_shape_problems(hooks: Hooks, tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "actors.yaml").write_text(text, encoding="utf-8")
    path = str(tmp_path / "actors.yaml")
    found = problems(read(hooks, tmp_path))
    assert len(found) == 1
    assert found[0].startswith(f"{tmp_path}/" + expected.format(path=path))


def test_an_empty_file_is_no_records(hooks: Hooks, tmp_path: Path) -> None:
    write_network(tmp_path, {"actors.yaml": TINY["actors.yaml"]})
    (tmp_path / "offers.yaml").write_text("# none yet\n", encoding="utf-8")
    records = read(hooks, tmp_path)
    assert problems(records) == [] and records.records["offers"] == []


class _Extra:
    """Another source: it runs after the data directory (the built-in is ``tryfirst``)."""

    seen: list[int]

    def __init__(self) -> None:
        self.seen = []

    @hookimpl
    def ki_network_read_records(self, directory: Path, config: NetworkConfig,
                                records: RecordSet) -> None:
        self.seen.append(len(records.records["actors"]))
        records.add("actors", Record({"id": "extra", "name": "Extra"},
                                     origin=Origin("extra-source")))


def test_the_data_directory_is_read_before_other_sources(tmp_path: Path) -> None:
    extra = _Extra()
    hooks = Hooks(bare_plugin_manager(extra)).without(["ki_network.builtin.ics"])
    records = read(hooks, write_network(tmp_path))
    assert extra.seen == [3]  # the data directory's three actors were there already
    assert [r["id"] for r in records.records["actors"]] == ["ki", "caritas", "verein", "extra"]


def test_the_source_can_be_switched_off(tmp_path: Path) -> None:
    hooks = Hooks(bare_plugin_manager()).without([SOURCE, "ki_network.builtin.ics"])
    assert not hooks.implemented("ki_network_read_records")
    records = read(hooks, write_network(tmp_path))
    assert len(records) == 0 and records.problems == []
