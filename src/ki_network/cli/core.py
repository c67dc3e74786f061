"""``validate``, ``info``, ``graph``, ``plugins``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
import networkx as nx

from .. import analysis
from ..datadir.load import read_config
from ..errors import DataError
from ..plugin.manager import Hooks, make_plugin_manager
from ._common import (
    audience_option,
    check_output,
    command,
    directory_argument,
    echo_json,
    format_option,
    load_network,
    writing,
)


@command("validate")
@directory_argument
def validate(directory: str) -> None:
    """Check DIR and print every problem as file:line:column: message.

    Exits 0 when the data is valid, 1 otherwise.
    """
    net = load_network(directory)
    click.echo(f"{directory}: valid ({len(net.actors)} actors, {len(net.offers)} offers, "
               f"{len(net.events)} events, {len(net.relations)} relations)")


@command("info")
@directory_argument
@format_option
@audience_option
def info(directory: str, fmt: str, audience: str) -> None:
    """Summarise DIR: counts, actors by kind, offers by topic, isolated actors, brokers.

    Only what --audience may see is counted and named (default: public)."""
    net = load_network(directory).for_audience(audience)
    graph = net.graph
    topic_families = Counter((o.topic or "none").split(".")[0] for o in net.offers.values())
    counts = {
        "actors": len(net.actors), "offers": len(net.offers), "events": len(net.events),
        "relations": len(net.relations), "municipalities": len(net.region.municipalities),
        "decisions": len(net.decisions),
    }
    by_kind = dict(sorted(Counter(a.kind.value for a in net.actors.values()).items()))
    by_topic = dict(sorted(topic_families.items()))
    isolated = sorted(str(a) for a in analysis.isolated_actors(graph))
    brokers = [{"id": str(node), "betweenness": round(value, 4)}
               for node, value in analysis.brokers(graph, top=5)]
    summary = {
        "name": net.config.name,
        "region": net.config.region,
        "counts": counts,
        "actors_by_kind": by_kind,
        "offers_by_topic": by_topic,
        "isolated_actors": isolated,
        "components": len(analysis.components(graph)),
        "brokers": brokers,
    }
    if fmt == "json":
        echo_json(summary)
        return
    click.echo(f"{summary['name']} (region: {summary['region'] or '-'})")
    for key, value in counts.items():
        click.echo(f"  {key:<15} {value:>7}")
    click.echo("actors by kind:")
    for key, value in by_kind.items():
        click.echo(f"  {key:<22} {value:>5}")
    click.echo("offers by topic:")
    for key, value in by_topic.items():
        click.echo(f"  {key:<22} {value:>5}")
    click.echo("brokers (who connects others most):")
    for broker in brokers:
        click.echo(f"  {broker['id']:<40} {broker['betweenness']:.3f}")
    click.echo(f"isolated actors: {', '.join(isolated) if isolated else 'none'}")


@command("graph")
@directory_argument
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Output file: .graphml or .gexf (both open in Gephi).")
@audience_option
def graph_command(directory: str, output: Path, audience: str) -> None:
    """Write the actor network of DIR as GraphML or GEXF for Gephi."""
    check_output(output)
    suffix = output.suffix.lower()
    if suffix not in (".graphml", ".gexf"):
        raise click.UsageError("the output must end in .graphml or .gexf")
    net = load_network(directory).for_audience(audience)
    flat = analysis.exportable(net.graph, net)
    with writing(output, "wb") as handle:
        if suffix == ".graphml":
            nx.write_graphml(flat, handle)
        else:
            nx.write_gexf(flat, handle)
    click.echo(f"wrote {output} ({flat.number_of_nodes()} actors, "
               f"{flat.number_of_edges()} relations)")


@command("plugins")
@click.argument("directory", metavar="[DIR]", required=False,
                type=click.Path(exists=True, file_okay=False))
@format_option
def plugins_command(directory: str | None, fmt: str) -> None:
    """List the loaded plugins with their version and the hooks each implements.

    With DIR, plugins that DIR's network.yaml switches off (plugins: {name: false}) are
    listed as disabled instead.
    """
    hooks = Hooks(make_plugin_manager())
    disabled: list[str] = []
    if directory is not None:
        config, problems = read_config(Path(directory))
        if problems:
            raise DataError(problems)
        disabled = sorted(name for name, value in config.plugins.items() if value is False)
        hooks = hooks.without(disabled)
    infos = hooks.plugins()
    if fmt == "json":
        echo_json({
            "plugins": [{"name": p.name, "version": p.version, "builtin": p.builtin,
                         "hooks": list(p.hooks)} for p in infos],
            "failed": [{"name": f.name, "error": f.error} for f in hooks.load_failures],
            "disabled": disabled,
        })
        return
    for p in infos:
        origin = "built-in" if p.builtin else (p.version or "?")
        click.echo(f"{p.name} ({origin})")
        for hook in p.hooks:
            click.echo(f"    {hook}")
    for failure in hooks.load_failures:
        click.echo(f"{failure.name}: NOT LOADED: {failure.error}")
    for name in disabled:
        click.echo(f"{name}: disabled in {directory}/network.yaml")
