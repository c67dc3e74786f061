"""``ki-network import hsds SRC (-o DIR | --into DIR)``: HSDS data into a data directory.

Usage::

    ki-network import hsds services.json -o directory/          # a new network
    ki-network import hsds export-dir/ --into examples/oberberg  # add to (update) a network
    ki-network import hsds ilao/ -o ilao-net --taxonomy-map terms.yaml --format json

Every dangling reference, repair and skipped record is listed on stderr as
``file:row: message``; the summary goes to stdout.  Exit 0 when the import was written (also
with warnings), 1 when the source or the data directory cannot be read or the result would
not load (nothing is written then), 2 for a usage error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..datadir import load
from ..datadir.config import NetworkConfig
from ..datadir.yamlio import read_yaml
from ..errors import DataError
from ..interop.hsds_import import HsdsImport, TaxonomyMap, convert
from ..interop.hsds_read import HsdsReadError, read_hsds
from ..interop.write import ICS_SOURCE, WriteError, write_into, write_new
from ..plugin import Hooks, make_plugin_manager
from ..region import Region
from ._common import echo_json

#: ``--files auto`` writes YAML up to this many records, JSON Lines above.
YAML_UP_TO = 2_000


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(1)


def _taxonomy(path: Path | None) -> TaxonomyMap:
    if path is None:
        return TaxonomyMap()
    data, problems = read_yaml(path, str(path))
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1)
    if data is not None and not isinstance(data, dict):
        _fail(f"{path}: must be a mapping with 'topics:' and 'target_groups:'")
    return TaxonomyMap.of(data)


@click.command("hsds")
@click.argument("source", metavar="SRC", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="A new data directory to write (must not exist or be empty).")
@click.option("--into", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="An existing data directory to add to; records with the same id are "
                   "updated.")
@click.option("--taxonomy-map", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML file mapping HSDS taxonomy terms to topics and target groups: "
                   "{topics: {TERM: TOPIC}, target_groups: {TERM: GROUP}}; a term is its "
                   "'taxonomy:code', its code or its name.")
@click.option("--name", help="Name of a new network (default: the source's name).")
@click.option("--region", "region_name",
              help="Region of a new network (a region pack from a plugin, e.g. oberberg): "
                   "municipality names and AGS codes resolve.")
@click.option("--language", default="de", show_default=True,
              help="Language of a new network: HSDS texts are stored in it.")
@click.option("--timezone", "zone", default="Europe/Berlin", show_default=True,
              help="Time zone of a new network.")
@click.option("--id-namespace", default="ki-network.invalid", show_default=True,
              help="Namespace of a new network's HSDS and calendar ids.")
@click.option("--files", type=click.Choice(["auto", "yaml", "jsonl"]), default="auto",
              show_default=True,
              help="File format of a new network: YAML for people, JSON Lines for machines "
                   f"(an order of magnitude faster); auto: YAML up to {YAML_UP_TO:,} records.")
@click.option("--dry-run", is_flag=True, help="Report what would be imported; write nothing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="The report as text or as JSON.")
def hsds_command(*, source: Path, output: Path | None, into: Path | None,
                 taxonomy_map: Path | None, name: str | None, region_name: str | None,
                 language: str, zone: str, id_namespace: str, files: str, dry_run: bool,
                 fmt: str) -> None:
    """Import Open Referral HSDS data from SRC: JSON (one object, a list, an API page,
    ndjson) or a directory of CSV tables (HSDS 3.0 with datapackage.json, or HSDS 1.x).

    Organisations become actors, services offers.  Fields without a counterpart are kept
    on the records (under 'hsds:'), so that a later 'export --to hsds' gives them back.
    """
    if (output is None) == (into is None):
        raise click.UsageError("name either a new directory with -o or an existing one with "
                               "--into")
    taxonomy = _taxonomy(taxonomy_map)
    try:
        data = read_hsds(source)
    except HsdsReadError as exc:
        _fail(str(exc))
    pm = make_plugin_manager(disabled=(ICS_SOURCE,))
    hooks = Hooks(pm)
    reserved: list[str] = []
    if into is not None:
        network = load(into, pm)  # a DataError is reported by the command group
        config, region = network.config, network.region
        reserved = list(network.events)
    else:
        settings_name = name or source.stem or "HSDS import"
        try:
            config = NetworkConfig(name=settings_name, timezone=zone, language=language,
                                   id_namespace=id_namespace, region=region_name)
            config.tz  # noqa: B018 - an unknown zone is a usage error
        except Exception as exc:
            raise click.BadParameter(f"unknown time zone {zone!r}",
                                     param_hint="--timezone") from exc
        region = None
        if region_name:
            municipalities = hooks.region_municipalities(region_name)
            if municipalities is None:
                raise click.BadParameter(f"no installed plugin provides region "
                                         f"{region_name!r}", param_hint="--region")
            region = Region(region_name, municipalities)
    result = convert(data, config=config, hooks=hooks, region=region, taxonomy=taxonomy,
                     reserved=reserved)
    changes: dict[str, tuple[list[str], list[str]]] = {}
    target = output or into
    assert target is not None  # noqa: S101 - one of them, checked above
    if not dry_run:
        lists = {"actors": result.actors, "offers": result.offers}
        try:
            if output is not None:
                settings = {"name": config.name, "timezone": config.timezone,
                            "language": config.language, "id_namespace": config.id_namespace}
                if config.region:
                    settings["region"] = config.region
                count = len(result.actors) + len(result.offers)
                jsonl = files == "jsonl" or (files == "auto" and count > YAML_UP_TO)
                # convert() checked every record with the loader's builder already
                write_new(output, settings, lists, suffix=".jsonl" if jsonl else ".yaml",
                          check=False)
            else:
                changes = write_into(target, lists)
        except (WriteError, DataError, OSError) as exc:
            _report(result, fmt, err_only=True)
            _fail(f"{target}: nothing written: {exc}")
    _report(result, fmt)
    if fmt == "json":
        return
    verb = "dry run, nothing written to" if dry_run else "wrote"
    read = ", ".join(f"{n:,} {t}" for t, n in sorted(result.read.items()))
    got = result.imported
    made = (f"{got.get('actors', 0):,} actors ({got.get('placeholder actors', 0):,} "
            f"placeholders), {got.get('offers', 0):,} offers "
            f"({got.get('placeholder offers', 0):,} placeholders), "
            f"{got.get('schedules', 0):,} schedule entries, "
            f"{got.get('closed days kept', 0):,} closed days kept")
    click.echo(f"{source}: HSDS {data.version}, read {read}")
    click.echo(f"{verb} {target}: {made}; {len(result.dangling)} dangling references, "
               f"{len(result.skipped)} records skipped, "
               f"{len(result.unmapped_terms)} unmapped taxonomy terms")
    for kind, (updated, added) in changes.items():
        click.echo(f"{kind}: {len(added)} added, {len(updated)} updated")


def _report(result: HsdsImport, fmt: str, err_only: bool = False) -> None:
    if fmt == "json" and not err_only:
        echo_json(_as_json(result))
        return
    for line in [*result.dangling, *result.warnings, *result.skipped]:
        click.echo(line, err=True)
    if result.unmapped_terms:
        click.echo("taxonomy terms that map to no topic or target group (add them to a "
                   "--taxonomy-map file):", err=True)
        for term, count in result.unmapped_terms.most_common():
            click.echo(f"  {term} ({count} services)", err=True)


def _as_json(result: HsdsImport) -> dict[str, Any]:
    return {"read": result.read, "imported": result.imported, "dangling": result.dangling,
            "warnings": result.warnings, "skipped": result.skipped,
            "unmapped_terms": dict(result.unmapped_terms)}
