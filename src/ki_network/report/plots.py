"""The report's pictures: the network map and the coverage heat map, as inline SVG.

Drawn with matplotlib (figures made directly, no pyplot state, SVG canvas) and networkx's
layouts.  The output is deterministic: ``svg.hashsalt`` fixes the element ids and the
metadata carries no date, so the same data gives the same bytes.  Texts stay ``<text>``
(``svg.fonttype: none``), so they are small, searchable and read by screen readers.  Each
SVG gets a ``<title>`` and ``role="img"`` through ElementTree, never by pasting strings.
"""

from __future__ import annotations

import io
import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib as mpl
import networkx as nx
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")

_RC: dict[Any, Any] = {"svg.hashsalt": "ki-network", "svg.fonttype": "none", "font.size": 9,
       "font.family": "DejaVu Sans", "axes.titlesize": 11}
_NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}

#: Texts of the data are drawn as they are: a name like "A $x$ B" is no formula (and a
#: malformed one would make matplotlib's math parser fail the whole report).
_PLAIN_TEXT: dict[Any, Any] = {"text.parse_math": False}

#: What XML 1.0 cannot hold: an SVG with these is malformed, whatever the escaping.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def plain_text(function: Callable[..., str]) -> Callable[..., str]:
    """Run a drawing function with math parsing off, so every label is literal text."""
    def drawn(*args: Any, **kwargs: Any) -> str:
        with mpl.rc_context(_PLAIN_TEXT):
            return function(*args, **kwargs)
    drawn.__doc__, drawn.__name__ = function.__doc__, function.__name__
    return drawn

#: Okabe-Ito colours: told apart by people with colour vision deficiencies
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000", "#999999")
#: relation kinds get a colour and a line style, so that they differ without colour too;
#: no yellow here: a thin yellow line on white is hard to see
EDGE_COLOURS = ("#CC79A7", "#0072B2", "#D55E00", "#009E73", "#000000", "#999999")
EDGE_STYLES: tuple[Any, ...] = ("solid", "dashed", "dotted", "dashdot", (0, (5, 1)), (0, (1, 3)))
ISOLATED_EDGE = "#B00020"


def to_svg(figure: Figure, title: str, element_id: str) -> str:
    """``figure`` as an inline ``<svg>`` element with a ``<title>`` and ``role="img"``."""
    buffer = io.StringIO()
    with mpl.rc_context(_RC):
        figure.savefig(buffer, format="svg", metadata=_NO_METADATA)
    root = ET.fromstring(_NOT_XML.sub("", buffer.getvalue()))  # noqa: S314 - matplotlib's output
    _prefix_ids(root, element_id)
    heading = ET.Element(f"{{{SVG_NS}}}title", {"id": f"{element_id}-title"})
    heading.text = _NOT_XML.sub("", title)
    root.insert(0, heading)
    root.set("role", "img")
    root.set("aria-labelledby", f"{element_id}-title")
    root.set("id", element_id)
    return ET.tostring(root, encoding="unicode")


def _prefix_ids(root: ET.Element, prefix: str) -> None:
    """Make the ids of one SVG unique in the page: ``axes_1`` → ``<prefix>-axes_1``.

    matplotlib numbers ids per figure, so two inline figures would share ``axes_1`` and the
    second's clip paths and hatch patterns could resolve to the first's definitions.
    """
    renamed = {}
    for element in root.iter():
        old = element.get("id")
        if old:
            renamed[old] = f"{prefix}-{old}"
            element.set("id", renamed[old])
    if not renamed:
        return
    pattern = re.compile(r"#([^\s)\"']+)")

    def swap(match: re.Match[str]) -> str:
        return "#" + renamed.get(match.group(1), match.group(1))

    for element in root.iter():
        for name, value in element.attrib.items():
            if name != "id" and "#" in value:
                element.set(name, pattern.sub(swap, value))


@plain_text
def network_map(graph: nx.Graph, *, kind_labels: Mapping[str, str],
                relation_labels: Mapping[str, str], isolated_label: str,
                title: str, element_id: str = "network-map-svg") -> str:
    """The actors as a map: colour by kind, edge colour and style by relation kind.

    Actors without any relation are set apart in a row at the bottom with a red ring, so
    they are seen at a glance.  Names are written next to the dots up to 120 actors.
    """
    isolated = sorted((n for n, d in graph.degree() if d == 0), key=str)
    connected = graph.subgraph(n for n in graph if n not in set(isolated))
    undirected = nx.Graph(connected.to_undirected(as_view=True))
    positions: dict[Any, np.ndarray] = {}
    if undirected.number_of_nodes():
        # Fruchterman-Reingold needs only numpy; the fixed seed makes the map repeatable.
        # Twice the default spacing: the KI is tied to nearly everyone and pulls them in.
        spacing = 2 / max(undirected.number_of_nodes(), 1) ** 0.5
        positions.update(nx.spring_layout(undirected, k=spacing, seed=7, iterations=100))
    columns = max(1, min(len(isolated), 8))
    for index, node in enumerate(isolated):
        row, column = divmod(index, columns)
        positions[node] = np.array([-1 + 2 * (column + 0.5) / columns, -1.35 - 0.2 * row])

    rows = (len(isolated) + columns - 1) // columns if isolated else 0
    figure = Figure(figsize=(10, 7.5 + 0.4 * rows), layout="constrained")
    ax = figure.add_subplot()
    ax.set_axis_off()
    kinds = sorted({str(d.get("kind", "other")) for _, d in graph.nodes(data=True)})
    colour = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(kinds)}
    relation_kinds = sorted({str(d.get("kind", "")) for *_, d in graph.edges(data=True)})
    handles: list[Line2D] = []
    for index, kind in enumerate(relation_kinds):
        style = EDGE_STYLES[index % len(EDGE_STYLES)]
        edges = [(u, v) for u, v, d in graph.edges(data=True) if d.get("kind") == kind]
        nx.draw_networkx_edges(graph, positions, edgelist=edges, ax=ax, style=style,
                               edge_color=EDGE_COLOURS[index % len(EDGE_COLOURS)], width=1.4,
                               arrows=True, arrowsize=8, node_size=160)
        handles.append(Line2D([], [], color=EDGE_COLOURS[index % len(EDGE_COLOURS)],
                              linestyle=style, label=relation_labels.get(kind, kind)))
    for kind in kinds:
        nodes = [n for n, d in graph.nodes(data=True) if str(d.get("kind", "other")) == kind]
        nx.draw_networkx_nodes(graph, positions, nodelist=nodes, ax=ax, node_size=160,
                               node_color=colour[kind], edgecolors="#333333", linewidths=0.6)
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=8,
                              markerfacecolor=colour[kind], markeredgecolor="#333333",
                              label=kind_labels.get(kind, kind)))
    if isolated:
        nx.draw_networkx_nodes(graph, positions, nodelist=isolated, ax=ax, node_size=420,
                               node_color="none", edgecolors=ISOLATED_EDGE, linewidths=2.2)
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=12,
                              markerfacecolor="none", markeredgecolor=ISOLATED_EDGE,
                              markeredgewidth=2.2, label=isolated_label))
        ax.axhline(-1.2, color="#767676", linewidth=0.8, linestyle=(0, (2, 2)))
        ax.text(-1.0, -1.17, isolated_label, color=ISOLATED_EDGE, fontsize=10,
                fontweight="bold", va="bottom")
    if graph.number_of_nodes() <= 120:
        labels = {n: textwrap.shorten(_NOT_XML.sub("", str(d.get("name", n))), 28, placeholder="…")
                  for n, d in graph.nodes(data=True)}
        nx.draw_networkx_labels(graph, {n: p + np.array([0, 0.055]) for n, p in positions.items()},
                                labels=labels, ax=ax, font_size=7, font_color="#1a1a1a")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
              fontsize=8)
    ax.margins(0.08)
    return to_svg(figure, title, element_id)


@plain_text
def heat_map(rows: Sequence[str], columns: Sequence[str], counts: Sequence[Sequence[int]], *,
             title: str, zero_label: str, element_id: str = "coverage-heatmap-svg",
             colour_label: str = "") -> str:
    """Offers per municipality (rows) and topic family (columns); empty cells are marked.

    Each cell shows its number, in white on dark cells and black on light ones, so that the
    contrast holds; a zero gets a red cross-hatch as well as its number.
    """
    data = np.asarray(counts, dtype=float).reshape(len(rows), len(columns))
    figure = Figure(figsize=(2.5 + 0.75 * max(len(columns), 1), 2.6 + 0.36 * max(len(rows), 1)),
                    layout="constrained")
    ax = figure.add_subplot()
    highest = max(float(data.max()) if data.size else 0.0, 1.0)
    image = ax.imshow(data, cmap="Blues", vmin=0, vmax=highest, aspect="auto")
    ax.set_xticks(range(len(columns)), labels=[_NOT_XML.sub("", c) for c in columns],
                  rotation=40, ha="right")
    ax.set_yticks(range(len(rows)), labels=[_NOT_XML.sub("", r) for r in rows])
    ax.tick_params(length=0)
    shade: Callable[[float], tuple[float, float, float, float]] = image.cmap
    for (row, column), value in np.ndenumerate(data):
        if value == 0:
            ax.add_patch(Rectangle((column - 0.5, row - 0.5), 1, 1, fill=False,
                                               hatch="///", edgecolor="#B00020", linewidth=0))
        red, green, blue, _ = shade(value / highest)
        dark = 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.5
        ax.text(column, row, str(int(value)), ha="center", va="center", fontsize=8,
                color="white" if dark else "#000000",
                fontweight="bold" if value == 0 else "normal")
    colourbar = figure.colorbar(image, ax=ax, shrink=0.6)
    colourbar.set_label(colour_label)
    ax.set_title(zero_label, loc="left", fontsize=8, color="#B00020")
    return to_svg(figure, title, element_id)
