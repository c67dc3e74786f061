"""``export``: write the network in a format contributed by an exporter plugin."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import PluginError
from ._common import (
    audience_option,
    check_output,
    command,
    directory_argument,
    gettext_for,
    lang_option,
    load_network,
)


@command("export")
@directory_argument
@click.option("--to", "format_name", metavar="FORMAT",
              help="Exporter name (see --list); default: guessed from the output's suffix.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Output file (a directory for hsds-tabular).")
@click.option("--list", "list_only", is_flag=True, help="List the available exporters.")
@audience_option
@lang_option
def export_command(directory: str, format_name: str | None,  # noqa: PLR0917 - click
                   output: Path | None,
                   list_only: bool, audience: str, lang: str | None) -> None:
    """Export DIR with one of the exporters that plugins contribute (json, jsonl, ...).

    Only what --audience may see is exported (default public), whichever exporter writes.
    """
    net = load_network(directory)
    _ = gettext_for(lang, net)
    exporters = {e.name: e for e in net.hooks.exporters()}
    if list_only:
        for exporter in exporters.values():
            click.echo(f"{exporter.name:<10} {exporter.suffix:<8} {exporter.description}")
        return
    if output is None:
        raise click.UsageError("name the output file with -o")
    output = check_output(output)
    if format_name is None:
        by_suffix = [e for e in exporters.values() if e.suffix == output.suffix]
        if not by_suffix:
            raise click.UsageError(f"no exporter writes {output.suffix or 'files without suffix'};"
                                   f" choose one with --to ({', '.join(exporters)})")
        exporter = by_suffix[0]
    elif format_name in exporters:
        exporter = exporters[format_name]
    else:
        raise click.UsageError(f"unknown exporter {format_name!r}; "
                               f"available: {', '.join(exporters)}")
    try:
        with net.hooks.guard(exporter, "ki_network_exporters"):
            exporter.export(net.for_audience(audience), output, {"audience": audience})
    except PluginError as exc:
        if isinstance(exc.error, OSError):  # the file system, not the plugin
            raise click.FileError(str(output), hint=exc.error.strerror or str(exc.error)) from exc
        raise
    click.echo(_("wrote {path} ({exporter}, audience {audience})").format(
        path=output, exporter=exporter.name, audience=audience))
