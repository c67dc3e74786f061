"""``validate``, ``info``, ``graph``, ``plugins``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

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
    gettext_for,
    lang_option,
    load_network,
)


@command("validate")
@directory_argument
@lang_option
def validate(directory: str, lang: str | None) -> None:
    """Check DIR and print every problem as file:line:column: message.

    Exits 0 when the data is valid, 1 otherwise.
    """
    net = load_network(directory)
    _ = gettext_for(lang, net)
    click.echo(_("{directory}: valid ({actors} actors, {offers} offers, {events} events, "
                 "{relations} relations)").format(
        directory=directory, actors=len(net.actors), offers=len(net.offers),
        events=len(net.events), relations=len(net.relations)))


@command("info")
@directory_argument
@format_option
@lang_option
@audience_option
def info(directory: str, fmt: str, lang: str | None, audience: str) -> None:
    """Summarise DIR: counts, actors by kind, offers by topic, isolated actors, brokers.

    Only what --audience may see is counted and named (default: public)."""
    full = load_network(directory)
    _ = gettext_for(lang, full)
    net = full.for_audience(audience)
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
    click.echo(_("{name} (region: {region})").format(name=summary["name"],
                                                   region=summary["region"] or "-"))
    for key, value in counts.items():
        click.echo(f"  {key:<15} {value:>7}")
    click.echo(_("actors by kind:"))
    for key, value in by_kind.items():
        click.echo(f"  {key:<22} {value:>5}")
    click.echo(_("offers by topic:"))
    for key, value in by_topic.items():
        click.echo(f"  {key:<22} {value:>5}")
    click.echo(_("brokers (who connects others most):"))
    for broker in brokers:
        click.echo(f"  {broker['id']:<40} {broker['betweenness']:.3f}")
    click.echo(_("isolated actors: {actors}").format(
        actors=", ".join(isolated) if isolated else _("none")))


@command("graph")
@directory_argument
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Output file: .graphml or .gexf (both open in Gephi).")
@audience_option
@lang_option
def graph_command(directory: str, output: Path, audience: str, lang: str | None) -> None:
    """Write the actor network of DIR as GraphML or GEXF for Gephi.

    Only what --audience may see is written (default public); the counts printed are the
    file's.
    """
    check_output(output)
    if output.suffix.lower() not in analysis.GRAPH_FORMATS:
        raise click.UsageError("the output must end in .graphml or .gexf")
    net = load_network(directory)
    _ = gettext_for(lang, net)
    try:
        flat = analysis.write_graph(net, output, audience=audience)
    except OSError as exc:  # the file system: one line, exit 1
        raise click.FileError(str(output), hint=exc.strerror or str(exc)) from exc
    click.echo(_("wrote {path} ({actors} actors, {relations} relations, audience "
                 "{audience})").format(path=output, actors=flat.number_of_nodes(),
                                       relations=flat.number_of_edges(), audience=audience))


@command("plugins")
@click.argument("directory", metavar="[DIR]", required=False,
                type=click.Path(exists=True, file_okay=False))
@format_option
@lang_option
def plugins_command(directory: str | None, fmt: str, lang: str | None) -> None:
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
    _ = gettext_for(lang)
    if fmt == "json":
        echo_json({
            "plugins": [{"name": p.name, "version": p.version, "builtin": p.builtin,
                         "hooks": list(p.hooks)} for p in infos],
            "failed": [{"name": f.name, "error": f.error} for f in hooks.load_failures],
            "disabled": disabled,
        })
        return
    for p in infos:
        origin = _("built-in") if p.builtin else (p.version or "?")
        click.echo(f"{p.name} ({origin})")
        for hook in p.hooks:
            click.echo(f"    {hook}")
    for failure in hooks.load_failures:
        click.echo(f"{failure.name}: NOT LOADED: {failure.error}")
    for name in disabled:
        click.echo(_("{name}: disabled in {path}").format(name=name,
                                                          path=f"{directory}/network.yaml"))
