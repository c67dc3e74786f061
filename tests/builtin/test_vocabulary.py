"""builtin/vocabulary.py: the default topic taxonomy and target groups, through
``ki_network.Hooks``, and how a plugin's own definitions take precedence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ki_network import Hooks, TargetGroup, Text, Topic, hookimpl
from ki_network.testing import bare_plugin_manager, tiny_network

DOCS = Path(__file__).resolve().parents[2] / "docs" / "data-format.md"
SLUG = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")


@pytest.fixture(scope="module")
def hooks() -> Hooks:
    return Hooks(bare_plugin_manager())


def test_topics_are_a_two_level_taxonomy(hooks: Hooks) -> None:
    topics = {t.id: t for t in hooks.topics()}
    assert len(topics) == len(hooks.topics())  # no id twice
    roots = {t.id for t in topics.values() if t.parent is None}
    assert {"language", "counselling", "school", "work", "cohesion", "health"} <= roots
    for topic in topics.values():
        assert SLUG.match(topic.id), topic.id
        if topic.parent is not None:
            assert topic.parent in roots
            assert topic.id.startswith(topic.parent + ".")


def test_topics_have_german_and_english_labels(hooks: Hooks) -> None:
    topics = {t.id: t for t in hooks.topics()}
    informal = topics["language.informal"]
    assert isinstance(informal, Topic) and informal.parent == "language"
    assert isinstance(informal.label, Text)
    for topic in topics.values():
        assert set(topic.label.languages) == {"de", "en"}
        assert topic.label.get("de") and topic.label.get("en")
    assert topics["language"].label.get("de") == "Sprache"
    assert topics["language"].label.get("en") == "Language"


def test_target_groups_are_the_documented_ones(hooks: Hooks) -> None:
    groups = hooks.target_groups()
    assert all(isinstance(g, TargetGroup) for g in groups)
    ids = [g.id for g in groups]
    row = next(line for line in DOCS.read_text(encoding="utf-8").splitlines()
               if line.startswith("| `target_groups` |"))
    documented = set(re.findall(r"`([a-z_]+)`", row.split("|")[3]))
    assert set(ids) == documented
    assert len(ids) == len(set(ids))
    everyone = next(g for g in groups if g.id == "everyone")
    assert (everyone.label.get("de"), everyone.label.get("en")) == ("Alle", "Everyone")


def test_a_network_knows_the_default_vocabularies() -> None:
    net = tiny_network()
    assert "language.informal" in net.topics and "newcomers" in net.target_groups
    assert net.topic_ancestors("language.informal") == ["language.informal", "language"]


class _Local:
    @hookimpl
    def ki_network_topics(self) -> list[Topic]:
        return [Topic("language.informal", {"de": "Sprachtreff", "en": "Language meet-up"},
                      "language"),
                Topic("language.tandem", {"de": "Tandem", "en": "Tandem"}, "language")]

    @hookimpl
    def ki_network_target_groups(self) -> list[TargetGroup]:
        return [TargetGroup("grandparents", {"de": "Großeltern", "en": "Grandparents"})]


def test_a_plugin_adds_and_overrides_entries() -> None:
    hooks = Hooks(bare_plugin_manager(_Local()))
    topics = {t.id: t for t in hooks.topics()}
    assert topics["language.informal"].label.get("de") == "Sprachtreff"  # the plugin wins
    assert "language.tandem" in topics and "language" in topics  # built-ins stay
    assert [t.id for t in hooks.topics()].count("language.informal") == 1
    groups = {g.id for g in hooks.target_groups()}
    assert {"grandparents", "everyone"} <= groups


def test_switched_off_there_are_no_default_vocabularies() -> None:
    hooks = Hooks(bare_plugin_manager()).without(["ki_network.builtin.vocabulary"])
    assert hooks.topics() == [] and hooks.target_groups() == []
