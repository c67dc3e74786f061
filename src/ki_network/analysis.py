"""Graph analyses of the actor network, written networkx-style: graph first, one function each.

Each function takes the graph of :attr:`ki_network.Network.graph` (actors as nodes with
``kind``, ``municipalities`` and ``topics`` attributes; relations as edges) and returns plain
data.  They work on any networkx graph with those node attributes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterator
from itertools import combinations
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import networkx as nx

from .datadir.yamlio import atomic_write
from .errors import UnknownValueError
from .model import Visibility
from .network import restricted

if TYPE_CHECKING:
    from .network import Network

__all__ = [
    "Introduction",
    "brokers",
    "components",
    "exportable",
    "isolated_actors",
    "municipality_subnetwork",
    "suggest_introductions",
    "write_graph",
]

#: graph file formats :func:`write_graph` writes, by suffix
GRAPH_FORMATS = (".gexf", ".graphml")


def isolated_actors(G: nx.Graph, kinds: set[str] | None = None) -> Iterator[Hashable]:
    """Actors without any relation.

    Parameters
    ----------
    G : networkx graph
        The actor graph.
    kinds : set of str, optional
        Only actors of these kinds (e.g. ``{"migrant_organisation"}``).

    Returns
    -------
    iterator of node ids

    Examples
    --------
    >>> G = nx.MultiDiGraph([("ki", "caritas")])
    >>> G.add_node("verein", kind="migrant_organisation")
    >>> list(isolated_actors(G))
    ['verein']

    Notes
    -----
    O(n) in the number of actors.
    """
    for node, degree in G.degree():
        if degree == 0 and (kinds is None or G.nodes[node].get("kind") in kinds):
            yield node


def components(G: nx.Graph) -> list[set[Hashable]]:
    """Groups of actors connected by relations (direction ignored), largest first.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("a", "b"), ("c", "d"), ("d", "e")])
    >>> [sorted(c) for c in components(G)]
    [['c', 'd', 'e'], ['a', 'b']]

    Notes
    -----
    O(n + m).
    """
    undirected = G.to_undirected(as_view=True) if G.is_directed() else G
    found = [set(c) for c in nx.connected_components(undirected)]
    return sorted(found, key=lambda c: (-len(c), sorted(map(str, c))))


def brokers(G: nx.Graph, top: int = 10, sample: int | None = 500,
            seed: int = 0) -> list[tuple[Hashable, float]]:
    """Actors that connect others: highest betweenness centrality first.

    Parameters
    ----------
    top : int
        How many to return.
    sample : int or None
        Estimate betweenness from this many source nodes when the graph is larger (exact
        when ``None`` or the graph is smaller); the estimate is deterministic for ``seed``.

    Examples
    --------
    >>> G = nx.Graph([("a", "ki"), ("b", "ki"), ("c", "ki"), ("c", "d")])
    >>> brokers(G, top=1)
    [('ki', 0.8333333333333333)]

    Notes
    -----
    Brandes' algorithm, O(k·m) for k sampled sources, so national networks stay tractable.
    """
    simple = nx.Graph(G.to_undirected(as_view=True) if G.is_directed() else G)
    k = sample if sample is not None and sample < simple.number_of_nodes() else None
    centrality = nx.betweenness_centrality(simple, k=k, seed=seed)
    ranked = sorted(centrality.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return [(node, value) for node, value in ranked[:top] if value > 0]


def municipality_subnetwork(G: nx.Graph, ags: str) -> nx.Graph:
    """The actors serving municipality ``ags`` and the relations among them (a view).

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> nx.set_node_attributes(G, {"a": ("1",), "b": ("1", "2"), "c": ("2",)}, "municipalities")
    >>> sorted(municipality_subnetwork(G, "1").edges())
    [('a', 'b')]
    """
    nodes = [n for n, areas in G.nodes(data="municipalities") if areas and ags in areas]
    return G.subgraph(nodes)


@attrs.frozen
class Introduction:
    """Two unconnected actors who serve the same places on the same topics."""

    a: Hashable
    b: Hashable
    municipalities: tuple[str, ...]
    topics: tuple[str, ...]

    @property
    def score(self) -> int:
        return len(self.municipalities) * len(self.topics)


def suggest_introductions(G: nx.Graph, max_block: int = 200) -> list[Introduction]:
    """Pairs of actors without a direct relation who share a municipality and a topic.

    Parameters
    ----------
    G : networkx graph
        Nodes need ``municipalities`` and ``topics`` attributes.
    max_block : int
        Blocks (municipality × topic) with more actors than this are skipped: a topic that
        everybody works on says nothing about who should meet.

    Returns
    -------
    list of Introduction
        Most shared municipalities × topics first.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("a", municipalities=("1",), topics=("language.informal",))
    >>> G.add_node("b", municipalities=("1",), topics=("language.informal",))
    >>> G.add_node("c", municipalities=("2",), topics=("language.informal",))
    >>> [(i.a, i.b) for i in suggest_introductions(G)]
    [('a', 'b')]

    Notes
    -----
    Blocking by (municipality, topic): cost grows with the sum of squared block sizes, not
    with the square of the number of actors.
    """
    blocks: dict[tuple[str, str], list[Hashable]] = defaultdict(list)
    for node, data in G.nodes(data=True):
        for ags in data.get("municipalities") or ():
            for topic in data.get("topics") or ():
                blocks[(ags, topic)].append(node)
    shared: dict[tuple[Hashable, Hashable], tuple[set[str], set[str]]] = {}
    for (ags, topic), members in blocks.items():
        if len(members) > max_block:
            continue
        for a, b in combinations(sorted(members, key=str), 2):
            if G.has_edge(a, b) or G.has_edge(b, a):
                continue
            places, topics = shared.setdefault((a, b), (set(), set()))
            places.add(ags)
            topics.add(topic)
    found = [Introduction(a, b, tuple(sorted(p)), tuple(sorted(t)))
             for (a, b), (p, t) in shared.items()]
    return sorted(found, key=lambda i: (-i.score, str(i.a), str(i.b)))


def exportable(G: nx.Graph, network: Network | None = None) -> nx.MultiDiGraph:
    """A copy of ``G`` whose attributes GraphML and GEXF can hold (texts and numbers).

    Lists become ``;``-separated texts, ``None`` is left out; with ``network``, municipality
    codes are written as names.
    """
    def flat(key: str, value: Any) -> Any:
        if key == "municipalities" and network is not None:
            value = [network.municipality_name(ags) for ags in value]
        if isinstance(value, list | tuple | set):
            return ";".join(map(str, value))
        return value

    out = nx.MultiDiGraph(name=G.graph.get("name", ""))
    for node, data in G.nodes(data=True):
        out.add_node(node, label=data.get("name", str(node)),
                     **{k: flat(k, v) for k, v in data.items() if v is not None})
    for u, v, key, data in G.edges(keys=True, data=True):
        out.add_edge(u, v, key=key, **{k: flat(k, val) for k, val in data.items()
                                       if val is not None})
    return out


def write_graph(network: Network, path: str | PathLike[str], *,
                audience: Visibility | str = Visibility.PUBLIC) -> nx.MultiDiGraph:
    """Write the actor network to ``path`` as GraphML (``.graphml``) or GEXF (``.gexf``).

    :param audience: who will open the file (default ``public``): only the actors and
        relations they may see are written (:func:`ki_network.network.restricted`);
        ``"internal"`` writes everything.
    :return: the graph as written (its node and edge counts are what the file holds).

    Another suffix raises :class:`~ki_network.errors.UnknownValueError`.  The file is
    written atomically.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in GRAPH_FORMATS:
        raise UnknownValueError("path", suffix or target.name, GRAPH_FORMATS,
                                what="graph format")
    view = restricted(network, audience)
    flat = exportable(view.graph, view)
    with atomic_write(target, "wb") as handle:
        if suffix == ".graphml":
            nx.write_graphml(flat, handle)
        else:
            nx.write_gexf(flat, handle)
    return flat
