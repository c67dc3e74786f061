"""Issue #12: the edit path — add, replace, remove return a new network, checked by the
builder of loading; save writes a complete data directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import attrs
import pytest

import ki_network
from ki_network import DataError, Offer, Relation, RelationKind
from ki_network.errors import UnknownValueError
from ki_network.testing import bare_plugin_manager, write_network


@pytest.fixture
def net(tmp_path: Path) -> ki_network.Network:
    return ki_network.load(write_network(tmp_path / "net"), bare_plugin_manager())


def test_add_returns_a_new_network_with_indexes_and_graph_right(net: ki_network.Network
                                                                ) -> None:
    before = net.graph.number_of_nodes()
    offer = Offer("treff-gm", "Deutschtreff", "verein", topic="language",
                  municipality="05374012")
    edited = net.add(offer)
    assert "treff-gm" not in net.offers  # the old network is a value too
    assert [o.id for o in edited.offers_where(topic="language", actor="verein")] == ["treff-gm"]
    assert "language" in edited.graph.nodes["verein"]["topics"]
    assert edited.graph.number_of_nodes() == before
    with_actor = edited.add({"id": "neu", "name": "Neue Initiative", "kind": "volunteer_group",
                             "municipalities": ["05374012"]}, kind="actors")
    related = with_actor.add(Relation("neu", "verein", RelationKind.COOPERATES))
    assert related.partners_of("neu") == {"verein"}


def test_an_invalid_item_raises_data_error_with_the_messages_of_loading(
        net: ki_network.Network) -> None:
    record = {"id": "x", "title": "X", "provider": "caritas-oberburg", "topic": "langauge",
              "municipality": "00000000"}
    with pytest.raises(DataError) as raised:
        net.add(record, kind="offers")
    messages = [p.message for p in raised.value.problems]
    assert any(m.startswith("unknown actor 'caritas-oberburg'") for m in messages), messages
    assert any("unknown topic 'langauge'" in m for m in messages), messages
    assert all(str(p.origin).endswith("offers.yaml") for p in raised.value.problems)
    with pytest.raises(DataError, match="duplicate id 'cafe-gm'"):
        net.add(net.offers["cafe-gm"])


def test_replace_and_remove(net: ki_network.Network) -> None:
    changed = net.replace(attrs.evolve(net.offers["cafe-gm"], title="Sprachtreff"))
    assert changed.offers["cafe-gm"].title.get() == "Sprachtreff"
    assert "cafe-gm" not in changed.remove("cafe-gm").offers
    with pytest.raises(UnknownValueError, match="did you mean 'cafe-gm'"):
        net.replace(attrs.evolve(net.offers["cafe-gm"], id="cafe-gn"))
    with pytest.raises(UnknownValueError, match="did you mean 'caritas'"):
        net.remove("cartias")


def test_removing_an_actor_still_named_is_refused_with_the_list(
        net: ki_network.Network) -> None:
    with pytest.raises(DataError) as raised:
        net.remove("caritas")
    assert [p.message for p in raised.value.problems] == [
        "offer 'cafe-gm' still names actor 'caritas' (provider): remove or change it first",
        "relation 'ki|caritas|cooperates' still names actor 'caritas' (target): remove or "
        "change it first"]
    gone = net.edit(remove=["cafe-gm", net.relations[0], "caritas"])
    assert "caritas" not in gone.actors and not gone.relations


def test_a_restricted_copy_is_neither_edited_nor_saved(net: ki_network.Network,
                                                      tmp_path: Path) -> None:
    public = net.for_audience("public")
    with pytest.raises(ValueError, match="restricted to 'public'"):
        public.remove("cafe-gm")
    with pytest.raises(ValueError, match="restricted to 'public'"):
        ki_network.save(public, tmp_path / "elsewhere")


def test_save_elsewhere_writes_a_complete_directory_keeping_comments(tmp_path: Path) -> None:
    source = write_network(tmp_path / "net")
    (source / "network.yaml").write_text(
        "# our network\nname: Tiny  # short\ntimezone: Europe/Berlin\nlanguage: de\n",
        encoding="utf-8")
    offers = source / "offers.yaml"
    offers.write_text("# offers, by hand\n" + offers.read_text(encoding="utf-8"),
                      encoding="utf-8")
    net = ki_network.load(source, bare_plugin_manager())
    edited = net.add(Offer("treff", "Treff", "verein", municipality="05374012"))
    ki_network.save(edited, tmp_path / "copy")
    copy = tmp_path / "copy"
    assert (copy / "network.yaml").read_text(encoding="utf-8").startswith("# our network\n")
    assert (copy / "offers.yaml").read_text(encoding="utf-8").startswith("# offers, by hand\n")
    again = ki_network.load(copy, bare_plugin_manager())
    assert again.offers == edited.offers and again.actors == edited.actors
    assert (source / "offers.yaml").read_text(encoding="utf-8").count("treff") == 0
    shutil.rmtree(copy)


TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "tutorial.md"
SECTION = "## Add an offer from Python, check it for duplicates, save"


def test_the_tutorials_edit_section_runs_in_a_fresh_directory_and_saves_a_valid_one(
        oberberg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import re

    from click.testing import CliRunner

    from ki_network.cli import main

    text = TUTORIAL.read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    section = section[:section.find("\n## ", 1)] if "\n## " in section[1:] else section
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1
    shutil.copytree(oberberg, tmp_path / "examples" / "oberberg")
    monkeypatch.chdir(tmp_path)
    exec(compile(blocks[0], str(TUTORIAL), "exec"), {})  # noqa: S102 - our own docs
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "05374044"
    assert printed[1].startswith("same ") and printed[1].endswith(" caritas-sprachcafe-waldbroel")
    saved = tmp_path / "oberberg-edited"
    result = CliRunner().invoke(main, ["validate", str(saved), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "177 offers" in result.output
    # the example itself is untouched: the edit went to the new directory only
    assert "caritas-frauencafe-waldbroel" not in (
        tmp_path / "examples" / "oberberg" / "offers.yaml").read_text(encoding="utf-8")
