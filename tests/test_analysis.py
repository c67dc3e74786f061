"""Graph analyses, on hand-made graphs with known answers and on a loaded network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from ki_network import analysis, load
from ki_network.network import Network
from ki_network.testing import bare_plugin_manager, write_network

from .test_network import FILES, Region


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Network:
    files: dict[str, Any] = {**FILES, "actors.yaml": [
        *FILES["actors.yaml"],
        {"id": "einsam", "name": "Neuer Verein", "kind": "migrant_organisation",
         "municipalities": ["Waldbröl"], "topics": ["counselling.adult_migration"]},
        {"id": "solo", "name": "Solo", "kind": "school", "municipalities": ["Wiehl"]},
    ]}
    directory = write_network(tmp_path_factory.mktemp("net") / "net", files)
    return load(directory, bare_plugin_manager(Region()))


def test_isolated_actors(net: Network) -> None:
    assert sorted(analysis.isolated_actors(net.graph)) == ["einsam", "solo"]
    assert list(analysis.isolated_actors(net.graph, kinds={"migrant_organisation"})) == [
        "einsam"]
    # a relation hidden from the public may make an actor isolated there
    public = net.for_audience("public")
    assert sorted(analysis.isolated_actors(public.graph)) == ["einsam", "solo"]


def test_components_largest_first() -> None:
    graph = nx.MultiDiGraph([("a", "b"), ("c", "d"), ("d", "e"), ("e", "c")])
    graph.add_node("z")
    assert analysis.components(graph) == [{"c", "d", "e"}, {"a", "b"}, {"z"}]


def test_components_of_the_network(net: Network) -> None:
    found = analysis.components(net.graph)
    assert found[0] == {"ki", "caritas", "awo", "verein", "geheim", "netz"}
    assert sorted(map(sorted, found[1:])) == [["einsam"], ["solo"]]


def test_brokers_exact_betweenness() -> None:
    # ki holds a star together; c also links d to the rest
    graph = nx.MultiDiGraph([("a", "ki"), ("ki", "b"), ("c", "ki"), ("c", "d"),
                             ("ki", "c")])  # a second edge ki-c changes nothing
    assert analysis.brokers(graph) == [("ki", pytest.approx(5 / 6)), ("c", pytest.approx(0.5))]
    assert analysis.brokers(graph, top=1) == [("ki", pytest.approx(5 / 6))]
    assert analysis.brokers(nx.MultiDiGraph([("a", "b")])) == []  # nobody in between


def test_brokers_sampled_is_deterministic_and_finds_the_hub() -> None:
    graph = nx.star_graph(600)  # node 0 is the hub
    first = analysis.brokers(graph, top=3, sample=50, seed=7)
    assert first == analysis.brokers(graph, top=3, sample=50, seed=7)
    assert first[0][0] == 0
    assert len(first) == 1  # the leaves broker nothing


def test_municipality_subnetwork(net: Network) -> None:
    sub = analysis.municipality_subnetwork(net.graph, "05374048")  # Waldbröl
    assert set(sub.nodes) == {"ki", "caritas", "awo", "einsam"}
    assert {(u, v, k) for u, v, k in sub.edges(keys=True)} == {
        ("ki", "caritas", "cooperates"), ("awo", "ki", "refers_to"),
        ("ki", "awo", "cooperates")}


def test_suggest_introductions(net: Network) -> None:
    found = analysis.suggest_introductions(net.graph)
    pairs = {(i.a, i.b): i for i in found}
    # Caritas runs migration counselling in Waldbröl, where the new association works on it
    assert ("caritas", "einsam") in pairs
    intro = pairs[("caritas", "einsam")]
    assert intro.municipalities == ("05374048",)
    assert intro.topics == ("counselling.adult_migration",)
    assert intro.score == 1
    # connected actors are never suggested, in either direction
    assert not any({a, b} in ({"ki", "caritas"}, {"ki", "awo"}) for a, b in pairs)
    assert found == sorted(found, key=lambda i: (-i.score, str(i.a), str(i.b)))


def test_introductions_skip_oversized_blocks() -> None:
    graph = nx.Graph()
    for node in "abcd":
        graph.add_node(node, municipalities=("1",), topics=("everything",))
    graph.add_node("e", municipalities=("1", "2"), topics=("x",))
    graph.add_node("f", municipalities=("1", "2"), topics=("x",))
    assert len(analysis.suggest_introductions(graph)) == 6 + 1
    found = analysis.suggest_introductions(graph, max_block=3)
    assert [(i.a, i.b, i.municipalities, i.score) for i in found] == [
        ("e", "f", ("1", "2"), 2)]


def test_exportable_flattens_attributes(net: Network) -> None:
    flat = analysis.exportable(net.graph, net)
    assert flat.nodes["caritas"]["municipalities"] == "Gummersbach;Waldbröl"
    assert flat.nodes["caritas"]["label"] == "Caritas"
    assert "programme" not in flat.edges["ki", "caritas", "cooperates"]  # None left out
    assert flat.edges["ki", "verein", "funds"]["programme"] == "KOMM-AN NRW"
    for _, data in flat.nodes(data=True):
        assert all(isinstance(v, str | int | float) for v in data.values())


def test_graphml_round_trip_through_networkx(net: Network, tmp_path: Path) -> None:
    flat = analysis.exportable(net.graph, net)
    nx.write_graphml(flat, tmp_path / "g.graphml")
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert set(back.nodes) == set(net.actors)
    assert back.nodes["verein"]["kind"] == "migrant_organisation"
