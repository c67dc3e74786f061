"""``ki-network import integreat REGION --base-url URL --into DIR``.

Usage::

    ki-network import integreat augsburg --base-url https://cms.integreat-app.de \\
        --into examples/oberberg
    ki-network import integreat augsburg --base-url … --into DIR --dry-run --format json

The events are organised by ``--actor`` (default ``integreat-<region>``; added to the
actors file when the network does not have it yet).  A re-import follows the rules of
``ki-network ics import`` and uses its code: matched by id, updated where the API changed,
marked cancelled when gone, left alone where a person edited them.

Exit 0 when done (also when events were skipped: they are listed), 1 when the API or the
data directory cannot be read (nothing is changed then), 2 for a usage error.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import click

from ki_network import DataError, Origin, Problem, load, make_plugin_manager
from ki_network.calendar import MergeReport, merge_into
from ki_network.datadir.yamlio import Record
from ki_network.interop.write import WriteError, refused, write_into

from .api import MAX_BYTES, TIMEOUT, IntegreatError, fetch_region
from .events import Converted, Skip, convert, region_actor, slug

ICS_SOURCE = "ki_network.builtin.ics"


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(1)


def _validated(converted: Converted, actor: str, net: Any) -> None:
    """Leave out (and list) records the data directory would refuse (the loader's own
    checks, so that an import never writes a record the next load rejects)."""
    stub = [] if actor in net.actors else [Record({"id": actor, "name": actor},
                                                  origin=Origin("<actor>"))]
    reasons = refused(net, {"actors": stub, "events": list(converted.feed.records)})
    if not reasons:
        return
    keep = []
    for index, record in enumerate(converted.feed.records):
        why = reasons.get(("events", index))
        if why:
            converted.skipped.append(Skip(str(record.get("uid", "")).split("@")[0],
                                          str(record.get("title")), "; ".join(why)))
        else:
            keep.append(record)
    converted.feed = attrs.evolve(converted.feed, records=tuple(keep))


@click.command("integreat")
@click.argument("region")
@click.option("--base-url", required=True, metavar="URL",
              help="The Integreat CMS, e.g. https://cms.integreat-app.de")
@click.option("--into", required=True, type=click.Path(exists=True, file_okay=False,
                                                       path_type=Path),
              help="The data directory whose events file receives the events.")
@click.option("--actor", "actor_id", metavar="ID",
              help="The organiser of the imported events (default: integreat-REGION).")
@click.option("--language", default="de", show_default=True,
              help="The region's base language; translations are fetched for the others.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=TIMEOUT, show_default=True,
              help="Seconds one download may take.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=MAX_BYTES, show_default=True,
              help="Largest answer accepted.")
@click.option("--allow-private-addresses", is_flag=True,
              help="Allow a CMS on a loopback or private address (refused by default).")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def integreat_command(*, region: str, base_url: str, into: Path, actor_id: str | None,
                      language: str, timeout: float, max_bytes: int,
                      allow_private_addresses: bool, dry_run: bool, fmt: str) -> None:
    """Import the events of Integreat REGION (all languages) into DIR's events file."""
    if not base_url.startswith(("http://", "https://")):
        raise click.BadParameter("must be an http:// or https:// URL", param_hint="--base-url")
    pm = make_plugin_manager(disabled=(ICS_SOURCE,))
    net = load(into, pm)  # a DataError is reported by the command group
    actor = actor_id or f"integreat-{slug(region)}"
    existing = net.actors.get(actor)
    try:
        data = fetch_region(base_url, region, language=language, timeout=timeout,
                            max_bytes=max_bytes, allow_private=allow_private_addresses)
    except IntegreatError as exc:
        _fail(f"{exc}; nothing was changed")
    visibility = existing.visibility.value if existing is not None else "public"
    converted = convert(data, actor=actor, timezone=net.config.timezone,
                        visibility=visibility)
    _validated(converted, actor, net)
    added_actor = False
    if existing is None and not dry_run:
        try:
            write_into(into, {"actors": [region_actor(actor, data)]})
        except (WriteError, DataError) as exc:
            _fail(f"{into}: cannot add actor {actor!r}: {exc}")
        added_actor = True
    try:
        report = merge_into(into, converted.feed, feed_name=data.source, today=date.today(),
                            dry_run=dry_run, reserved=[*net.offers,
                                                       *(a for a in net.actors if a != actor)])
    except Exception as exc:  # the merge's MergeError: the events file cannot be read
        _fail(f"{exc}")
    if not dry_run:
        try:
            load(into, pm)
        except DataError as exc:  # the builder checked every record; this is a safety net
            problems = [Problem(Origin(str(report.path)), "was written but does not load:"),
                        *exc.problems]
            raise DataError(problems) from exc
    if fmt == "json":
        click.echo(_json(converted, report, dry_run, added_actor, actor))
        return
    for skip in converted.skipped:
        click.echo(f"{data.source}: {skip}", err=True)
    for note in converted.notes:
        click.echo(f"{data.source}: {note}", err=True)
    for ident, why in report.kept:
        click.echo(f"{report.path}: kept {ident}: {why}", err=True)
    if converted.unused_locations:
        click.echo(f"{data.source}: {len(converted.unused_locations)} locations are used by "
                   "no event and not imported (ki-network keeps places on events): "
                   f"{', '.join(converted.unused_locations)}", err=True)
    if added_actor:
        click.echo(f"added actor {actor!r} to {into}")
    changes = report.added or report.updated or report.removed or report.restored
    verb = "dry run, nothing written to" if dry_run else "updated" if changes else "no change to"
    click.echo(f"{data.source}: {converted.feed.vevents} events in "
               f"{len(data.events)} languages ({', '.join(sorted(data.events))}), "
               f"{len(converted.feed.records)} imported with {converted.translations} "
               f"translations, {len(converted.skipped)} skipped; {verb} {report.path}: "
               f"{len(report.added)} added, {len(report.updated)} updated, "
               f"{len(report.unchanged)} unchanged, {len(report.removed)} marked removed, "
               f"{len(report.restored)} restored, {len(report.kept)} kept as edited locally")


def _json(converted: Converted, report: MergeReport, dry_run: bool, added_actor: bool,
          actor: str) -> str:
    return json.dumps({
        "source": converted.feed.source, "actor": actor, "actor_added": added_actor,
        "file": str(report.path), "dry_run": dry_run, "events": converted.feed.vevents,
        "imported": len(converted.feed.records), "translations": converted.translations,
        "added": list(report.added), "updated": list(report.updated),
        "unchanged": list(report.unchanged), "removed": list(report.removed),
        "restored": list(report.restored),
        "kept": [{"id": i, "reason": r} for i, r in report.kept],
        "skipped": [{"event": s.key, "title": s.title, "reason": s.reason}
                    for s in converted.skipped],
        "notes": converted.notes, "unused_locations": converted.unused_locations,
    }, ensure_ascii=False, indent=2)
