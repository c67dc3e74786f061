"""Network: queries, the graph and what each audience may see."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from ki_network import Municipality, hookimpl, load
from ki_network.errors import UnknownValueError
from ki_network.model import Visibility
from ki_network.network import Network
from ki_network.testing import bare_plugin_manager, write_network

GM, WB, WI = "05374012", "05374048", "05374052"


class Region:
    @hookimpl
    def ki_network_region_municipalities(self, region: str) -> Sequence[Municipality] | None:
        if region != "testkreis":
            return None
        return [Municipality(GM, "Gummersbach"), Municipality(WB, "Waldbröl"),
                Municipality(WI, "Wiehl")]


FILES: dict[str, Any] = {
    "network.yaml": {"name": "Testkreis", "region": "testkreis"},
    "actors.yaml": [
        {"id": "ki", "name": "KI", "kind": "administration",
         "municipalities": ["Gummersbach", "Waldbröl", "Wiehl"],
         "contact": {"email": "ki@ki.example", "phone": "02261 1"}},
        {"id": "caritas", "name": "Caritas", "kind": "provider",
         "municipalities": ["Gummersbach", "Waldbröl"], "topics": ["counselling"],
         "contact": {"email": "c@c.example", "phone": "02261 2", "visibility": "partners"}},
        {"id": "awo", "name": "AWO", "kind": "provider", "municipalities": ["Waldbröl"]},
        {"id": "verein", "name": "Kulturverein", "kind": "migrant_organisation",
         "municipalities": ["Wiehl"]},
        {"id": "geheim", "name": "Interner Arbeitskreis", "kind": "other",
         "municipalities": ["Wiehl"], "visibility": "internal"},
        {"id": "netz", "name": "Partnernetz", "kind": "volunteer_group",
         "municipalities": ["Gummersbach"], "visibility": "partners"},
    ],
    "offers.yaml": [
        {"id": "cafe-gm", "title": "Sprachcafé", "provider": "caritas",
         "topic": "language.informal", "target_groups": ["newcomers", "women"],
         "languages": ["de", "ar"], "municipality": "Gummersbach"},
        {"id": "kurs-wb", "title": "Integrationskurs", "provider": "awo", "partners": ["ki"],
         "topic": "language.integration_course", "target_groups": ["adults"],
         "languages": ["de"], "municipality": "Waldbröl"},
        {"id": "mbe-wb", "title": "MBE", "provider": "caritas",
         "topic": "counselling.adult_migration", "target_groups": ["adults"],
         "languages": ["de", "tr"], "municipality": "05374048"},
        {"id": "eltern", "title": "Elterncafé", "provider": "verein", "partners": ["netz"],
         "topic": "early_childhood.griffbereit", "target_groups": ["parents"],
         "languages": ["tr"], "municipality": "Wiehl",
         "contact": {"phone": "0171 1", "visibility": "internal"}},
        {"id": "intern", "title": "Fallbesprechung", "provider": "ki",
         "topic": "counselling.case_management", "municipality": "Gummersbach",
         "visibility": "internal"},
        {"id": "ak", "title": "Arbeitskreis", "provider": "geheim", "topic": "cohesion"},
        {"id": "partner-offer", "title": "Austausch", "provider": "ki",
         "topic": "cohesion.encounter", "visibility": "partners"},
    ],
    "events.yaml": [
        {"id": "fest", "title": "Fest", "organisers": ["ki", "verein"],
         "topic": "cohesion.encounter", "start": "2026-09-19T14:00"},
        {"id": "klausur", "title": "Klausur", "organisers": ["geheim"],
         "start": "2026-03-01"},
        {"id": "runde", "title": "Runde", "organisers": ["ki", "geheim"],
         "start": "2026-04-01T10:00", "visibility": "partners"},
    ],
    "relations.yaml": [
        {"source": "ki", "target": "caritas", "kind": "cooperates"},
        {"source": "ki", "target": "verein", "kind": "funds", "programme": "KOMM-AN NRW"},
        {"source": "awo", "target": "ki", "kind": "refers_to"},
        {"source": "ki", "target": "geheim", "kind": "coordinates"},
        {"source": "caritas", "target": "netz", "kind": "member_of", "visibility": "partners"},
        {"source": "ki", "target": "awo", "kind": "cooperates", "visibility": "internal"},
    ],
}


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Network:
    directory = write_network(tmp_path_factory.mktemp("net") / "net", FILES)
    return load(directory, bare_plugin_manager(Region()))


def ids(items: Sequence[Any]) -> list[str]:
    return [item.id for item in items]


def test_offers_by_topic_include_sub_topics(net: Network) -> None:
    assert ids(net.offers_where(topic="language")) == ["cafe-gm", "kurs-wb"]
    assert ids(net.offers_where(topic="language.informal")) == ["cafe-gm"]
    assert ids(net.offers_where(topic="counselling")) == ["mbe-wb", "intern"]
    assert ids(net.offers_where(topic="cohesion")) == ["ak", "partner-offer"]
    assert net.offers_where(topic="housing") == []


def test_offers_by_municipality_name_or_ags(net: Network) -> None:
    assert ids(net.offers_where(municipality="Waldbröl")) == ["kurs-wb", "mbe-wb"]
    assert ids(net.offers_where(municipality="waldbröl")) == ["kurs-wb", "mbe-wb"]
    assert ids(net.offers_where(municipality=WB)) == ["kurs-wb", "mbe-wb"]
    assert net.offers["mbe-wb"].municipality == WB  # stored as AGS whatever was written


def test_offers_by_target_group_language_provider_actor(net: Network) -> None:
    assert ids(net.offers_where(target_group="adults")) == ["kurs-wb", "mbe-wb"]
    assert ids(net.offers_where(language="tr")) == ["mbe-wb", "eltern"]
    assert ids(net.offers_where(provider="caritas")) == ["cafe-gm", "mbe-wb"]
    assert ids(net.offers_where(actor="ki")) == ["kurs-wb", "intern", "partner-offer"]


def test_criteria_combine(net: Network) -> None:
    assert ids(net.offers_where(topic="language", municipality="Waldbröl")) == ["kurs-wb"]
    assert ids(net.offers_where(language="de", target_group="adults", provider="caritas")) == [
        "mbe-wb"]
    assert net.offers_where(topic="language", language="tr") == []
    assert ids(net.offers_where()) == list(net.offers)


def test_actors_serving_and_partners(net: Network) -> None:
    assert ids(net.actors_serving("Waldbröl")) == ["ki", "caritas", "awo"]
    assert ids(net.actors_serving(WI)) == ["ki", "verein", "geheim"]
    with pytest.raises(UnknownValueError, match="no municipality 'Nümbrecht'"):
        net.actors_serving("Nümbrecht")  # not in this region: an error, not "nobody"
    assert net.partners_of("ki") == {"caritas", "verein", "awo", "geheim"}
    assert net.partners_of("netz") == {"caritas"}
    with pytest.raises(UnknownValueError, match="no actor 'nobody'"):
        net.partners_of("nobody")


def test_graph_nodes_and_edges_carry_attributes(net: Network) -> None:
    graph = net.graph
    assert set(graph.nodes) == set(net.actors)
    assert graph.nodes["caritas"] == {
        "name": "Caritas", "kind": "provider", "municipalities": (GM, WB),
        "topics": ("counselling", "counselling.adult_migration", "language.informal"),
        "visibility": "public"}
    assert graph.nodes["verein"]["topics"] == ("cohesion.encounter",
                                               "early_childhood.griffbereit")
    assert graph.number_of_edges() == 6
    assert graph.edges["ki", "verein", "funds"] == {
        "kind": "funds", "programme": "KOMM-AN NRW", "visibility": "public"}
    assert graph.has_edge("awo", "ki", "refers_to")
    assert not graph.has_edge("ki", "awo", "refers_to")  # directed


def test_topic_ancestors_and_municipality_names(net: Network) -> None:
    assert net.topic_ancestors("language.informal") == ["language.informal", "language"]
    assert net.topic_ancestors("unknown.thing") == ["unknown.thing"]
    assert net.municipality_name(WB) == "Waldbröl"
    assert net.municipality(GM).name == "Gummersbach"


@pytest.mark.parametrize("audience", ["public", Visibility.PUBLIC])
def test_public_sees_only_public_items(net: Network, audience: str | Visibility) -> None:
    public = net.for_audience(audience)
    assert public.audience is Visibility.PUBLIC
    assert sorted(public.actors) == ["awo", "caritas", "ki", "verein"]
    # internal/partners offers go, and so does the offer of a hidden provider
    assert ids(public.offers_where()) == ["cafe-gm", "kurs-wb", "mbe-wb", "eltern"]
    # a hidden partner is dropped from a visible offer
    assert public.offers["eltern"].partners == ()
    # a hidden organiser is dropped; an event with no visible organiser goes
    assert sorted(public.events) == ["fest"]
    assert {(r.source, r.target) for r in public.relations} == {
        ("ki", "caritas"), ("ki", "verein"), ("awo", "ki")}
    assert public.graph.number_of_edges() == 3
    # contact data more restricted than the audience is removed
    assert public.actors["caritas"].contact.is_empty()
    assert public.actors["ki"].contact.email == "ki@ki.example"
    assert public.offers["eltern"].contact.is_empty()
    assert "geheim" not in public.graph


def test_partners_see_partner_items(net: Network) -> None:
    partners = net.for_audience("partners")
    assert sorted(partners.actors) == ["awo", "caritas", "ki", "netz", "verein"]
    assert "partner-offer" in partners.offers and "intern" not in partners.offers
    assert partners.offers["eltern"].partners == ("netz",)
    assert partners.actors["caritas"].contact.phone == "02261 2"
    assert partners.offers["eltern"].contact.is_empty()
    assert sorted(partners.events) == ["fest", "runde"]
    assert partners.events["runde"].organisers == ("ki",)


def test_internal_is_everything(net: Network) -> None:
    assert net.for_audience("internal") is net
    with pytest.raises(ValueError, match="'everyone'"):
        net.for_audience("everyone")


def test_repr_counts(net: Network) -> None:
    assert repr(net) == "<Network 'Testkreis': 6 actors, 7 offers, 3 events, 6 relations>"


def test_origins_point_at_the_records(net: Network) -> None:
    origin = net.origins["mbe-wb"]
    assert Path(origin.path).name == "offers.yaml"
    text = Path(origin.path).read_text(encoding="utf-8").splitlines()
    assert text[origin.line - 1].lstrip("- ").startswith("id: mbe-wb")
