"""Saving back: a changed record changes its lines only; comments, order, quoting stay."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import attrs
import pluggy
import pytest

from ki_network import Network, Text, load
from ki_network.datadir.build import Built
from ki_network.datadir.save import save
from ki_network.model import Visibility

NETWORK = "name: Hand-written  # edited by the KI\ntimezone: Europe/Berlin\n"

ACTORS = """\
# Actors of the test network.
# Keep them sorted by kind.

- id: ki                      # the integration centre
  name: "Kommunales Integrationszentrum"
  kind: administration
  municipalities: ['05374012', '05374048']   # flow style stays flow style
  contact: {email: ki@ki.example, phone: '02261 88-0', room: "2.14"}
  founded: 2013               # not a field of the model: kept

- id: caritas
  name: 'Caritas'
  kind: provider
  municipalities:
    - '05374012'
  languages: [de, ar, tr]
  visibility: public          # a spelt-out default

- id: verein
  name: Kulturverein Anadolu e.V.
  municipalities: ['05374012']
"""

OFFERS = """\
# Offers
- id: cafe-gm
  title:
    de: Sprachcafé        # the German title is the main one
    en: Language café
  provider: caritas
  topic: language.informal
  schedule:
    - start: 2026-01-13T09:30
      end: 2026-01-13T11:00
      rrule: FREQ=WEEKLY;BYDAY=TU
      until: 2026-07-14
      room: Saal                # unknown field inside a schedule entry
  notes_for_staff: "ask for Frau K."

# The next one is run with the KI.
- id: elterncafe
  title: Elterncafé
  provider: verein
  partners: [ki]
  municipality: '05374012'
  valid_from: 2026-01-01
  valid_to: 2026-12-31
"""

RELATIONS = """\
- {source: ki, target: caritas, kind: cooperates}   # since the start
- {source: ki, target: verein, kind: funds, programme: KOMM-AN NRW}
"""


def data_files(directory: Path) -> list[Path]:
    """Everything in ``directory`` but ``.ki-network/``, where the write lock lives (any
    temporary file left behind would be listed)."""
    return [p for p in directory.iterdir() if p.name != ".ki-network"]


@pytest.fixture
def hand_written(tmp_path: Path) -> Path:
    directory = tmp_path / "net"
    directory.mkdir()
    for name, text in (("network.yaml", NETWORK), ("actors.yaml", ACTORS),
                       ("offers.yaml", OFFERS), ("relations.yaml", RELATIONS)):
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def edited(net: Network, **changes: object) -> Network:
    """A copy of ``net`` with whole kinds replaced (``offers={...}``, ``relations=[...]``):
    a loaded network is read-only."""
    kinds = {"actors": dict(net.actors), "offers": dict(net.offers), "events": dict(net.events),
             "relations": list(net.relations), "decisions": list(net.decisions)}
    built = Built(**{**kinds, **changes}, origins=dict(net.origins))  # type: ignore[arg-type]
    return Network(net.config, net.region, net.topics.values(), net.target_groups.values(),
                   built, net.hooks, net.directory, record_files=net.record_files)


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_saving_unchanged_changes_nothing(hand_written: Path, pm: pluggy.PluginManager) -> None:
    before = {p.name: p.read_bytes() for p in data_files(hand_written)}
    save(load(hand_written, pm))
    assert {p.name: p.read_bytes() for p in data_files(hand_written)} == before


def test_one_changed_record_changes_only_its_line(hand_written: Path,
                                                  pm: pluggy.PluginManager) -> None:
    net = load(hand_written, pm)
    offer = net.offers["elterncafe"]
    save(edited(net, offers={**net.offers, "elterncafe": attrs.evolve(
        offer, title=Text.of("Elterncafé international"))}))
    after = (hand_written / "offers.yaml").read_text(encoding="utf-8")
    assert changed_lines(OFFERS, after) == ["-  title: Elterncafé",
                                            "+  title: Elterncafé international"]
    for name, text in (("actors.yaml", ACTORS), ("relations.yaml", RELATIONS),
                       ("network.yaml", NETWORK)):
        assert (hand_written / name).read_text(encoding="utf-8") == text
    again = load(hand_written, pm)
    assert again.offers["elterncafe"].title.get() == "Elterncafé international"
    assert again.offers["cafe-gm"].schedule[0].extra == {"room": "Saal"}
    assert again.offers["cafe-gm"].extra == {"notes_for_staff": "ask for Frau K."}


def test_nested_change_keeps_the_comment_next_to_it(hand_written: Path,
                                                    pm: pluggy.PluginManager) -> None:
    net = load(hand_written, pm)
    actor = net.actors["ki"]
    save(edited(net, actors={**net.actors, "ki": attrs.evolve(
        actor, contact=attrs.evolve(actor.contact, email="team@ki.example"))}))
    after = (hand_written / "actors.yaml").read_text(encoding="utf-8")
    diff = changed_lines(ACTORS, after)
    assert len(diff) == 2, diff
    assert diff[1] == ("+  contact: {email: team@ki.example, phone: '02261 88-0', "
                       'room: "2.14"}')
    again = load(hand_written, pm).actors["ki"]
    assert again.extra == {"founded": 2013}
    assert again.contact.extra == {"room": "2.14"}


def test_added_and_removed_records(hand_written: Path, pm: pluggy.PluginManager) -> None:
    net = load(hand_written, pm)
    offers = {k: v for k, v in net.offers.items() if k != "cafe-gm"}
    offers["neu"] = attrs.evolve(net.offers["elterncafe"], id="neu",
                                 visibility=Visibility.PARTNERS)
    save(edited(net, offers=offers, relations=net.relations[1:]))
    offers = (hand_written / "offers.yaml").read_text(encoding="utf-8")
    assert "cafe-gm" not in offers
    assert "# The next one is run with the KI." in offers  # the comment of a kept record
    assert offers.index("id: elterncafe") < offers.index("id: neu")
    relations = (hand_written / "relations.yaml").read_text(encoding="utf-8")
    assert relations == ("- {source: ki, target: verein, kind: funds, programme: KOMM-AN NRW}"
                         "\n")
    again = load(hand_written, pm)
    assert list(again.offers) == ["elterncafe", "neu"]
    assert again.offers["neu"].visibility is Visibility.PARTNERS
    assert len(again.relations) == 1


def test_jsonl_is_rewritten_one_record_a_line(tmp_path: Path, pm: pluggy.PluginManager) -> None:
    directory = tmp_path / "net"
    directory.mkdir()
    (directory / "network.yaml").write_text("name: Big\n", encoding="utf-8")
    (directory / "actors.jsonl").write_text(
        '{"id": "a", "name": "A", "kind": "school", "extra_field": [1, {"x": null}]}\n'
        '\n'
        '{"id": "b", "name": "Bé", "kind": "other"}\n', encoding="utf-8")
    (directory / "offers.jsonl").write_text(
        '{"id": "o", "title": {"de": "Kurs", "ar": "دورة"}, "provider": "a", '
        '"schedule": [{"start": "2026-03-02", "end": "2026-03-03"}], '
        '"valid_from": "2026-01-01"}\n', encoding="utf-8")
    net = load(directory, pm)
    net = edited(net, actors={**net.actors, "b": attrs.evolve(net.actors["b"], name="B")})
    save(net)
    assert not (directory / "actors.yaml").exists()
    lines = (directory / "actors.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"id": "a", "name": "A", "kind": "school", "extra_field": [1, {"x": None}]},
        {"id": "b", "name": "B", "kind": "other"}]
    offer = json.loads((directory / "offers.jsonl").read_text(encoding="utf-8"))
    assert offer["title"] == {"de": "Kurs", "ar": "دورة"}
    assert offer["schedule"] == [{"start": "2026-03-02", "end": "2026-03-03"}]
    assert offer["valid_from"] == "2026-01-01"
    assert load(directory, pm).offers == net.offers


def test_save_to_a_new_directory_writes_every_kind(hand_written: Path, tmp_path: Path,
                                                   pm: pluggy.PluginManager) -> None:
    net = load(hand_written, pm)
    target = tmp_path / "copy"
    save(net, target)
    assert sorted(p.name for p in data_files(target)) == [
        "actors.yaml", "network.yaml", "offers.yaml", "relations.yaml"]
    copy = load(target, pm)
    assert (copy.actors, copy.offers, copy.relations) == (net.actors, net.offers,
                                                          net.relations)
    assert copy.config.name == "Hand-written"


def test_writes_are_atomic(hand_written: Path, pm: pluggy.PluginManager,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while writing leaves the old file and no temporary file behind."""
    net = load(hand_written, pm)
    net = edited(net, offers={**net.offers, "elterncafe": attrs.evolve(
        net.offers["elterncafe"], title=Text.of("Neu"))})

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.fsync", broken)
    with pytest.raises(OSError, match="disk full"):
        save(net)
    assert (hand_written / "offers.yaml").read_text(encoding="utf-8") == OFFERS
    assert sorted(p.name for p in data_files(hand_written)) == [
        "actors.yaml", "network.yaml", "offers.yaml", "relations.yaml"]
