"""Tests of the plugin on its own: a bare plugin manager, the plugin, a tiny network."""

from datetime import date

import ki_network_musterstadt

from ki_network import Hooks
from ki_network.checks import run_rules
from ki_network.testing import bare_plugin_manager, tiny_network


def test_the_town_festival_is_a_closed_day_of_the_region() -> None:
    hooks = Hooks(bare_plugin_manager(ki_network_musterstadt))
    days = hooks.closed_days("oberberg", 2026)
    assert [(d.first, d.name) for d in days] == [(date(2026, 9, 5), "Stadtfest Musterstadt")]
    assert hooks.closed_days("elsewhere", 2026) == []


def test_local_labels_name_topics_that_exist() -> None:
    hooks = Hooks(bare_plugin_manager(ki_network_musterstadt))
    topics = {t.id for t in hooks.topics()}
    aliases = hooks.label_aliases(None)
    assert aliases == ki_network_musterstadt.LABELS
    assert set(aliases.values()) <= topics


def test_data_may_use_a_local_label() -> None:
    offer = {"id": "cafe", "title": "Café am Markt", "provider": "caritas",
             "topic": "Nachbarschaftscafé", "municipality": "05374012"}
    net = tiny_network(bare_plugin_manager(ki_network_musterstadt), offers=[offer])
    assert net.offers["cafe"].topic == "cohesion.encounter"


def test_the_rule_speaks_german_from_the_plugins_own_catalogue() -> None:
    event = {"id": "konzert", "title": "Konzert", "organisers": ["ki"],
             "municipality": "05374012", "start": "2026-09-05T19:00", "end": "2026-09-05T21:00"}
    net = tiny_network(bare_plugin_manager(ki_network_musterstadt), events=[event])
    german = run_rules(net, language="de", only=["musterstadt-festival"])
    assert [f.message for f in german.findings] == [
        "„Konzert“ findet am Tag des Stadtfests statt (2026-09-05)"]
    assert german.titles["musterstadt-festival"] == "Veranstaltungen am Tag des Stadtfests"
    english = run_rules(net, language="en", only=["musterstadt-festival"])
    assert [f.message for f in english.findings] == [
        "'Konzert' is on the day of the Stadtfest (2026-09-05)"]
