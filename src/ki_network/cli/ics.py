"""``ics import``: take a partner's calendar feed into the data directory's events file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from ..calendar.ics_import.fetch import CACHE_DIR, MAX_BYTES, TIMEOUT, FetchError, fetch, is_url
from ..calendar.ics_import.merge import MergeError, MergeReport, merge_into
from ..calendar.ics_import.reader import ImportedFeed, read_ics
from ..datadir.load import load
from ..errors import DataError
from ..plugin.manager import make_plugin_manager
from ..region import did_you_mean
from ._common import (
    directory_argument,
    echo_json,
    format_option,
    gettext_for,
    lang_option,
    load_network,
    main,
    today_option,
)

ICS_SOURCE = "ki_network.builtin.ics"


@main.group("ics")
def ics_group() -> None:
    """Partner calendar feeds (iCalendar, .ics)."""


@ics_group.command("import")
@click.argument("source", metavar="FILE_OR_URL")
@click.option("--actor", "actor_id", required=True, metavar="ID",
              help="The actor whose calendar it is: the organiser of the imported events.")
@directory_argument
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=TIMEOUT, show_default=True,
              help="Seconds a download may take.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=MAX_BYTES, show_default=True,
              help="Largest feed accepted.")
@format_option
@lang_option
@today_option
def import_command(*, source: str, actor_id: str, directory: str, dry_run: bool, timeout: float,
                   max_bytes: int, fmt: str, lang: str | None, today: datetime | None) -> None:
    """Import the events of FILE_OR_URL into DIR's events file, organised by --actor.

    A re-import updates the events it imported before (matched by UID and RECURRENCE-ID, or
    by start and title when the feed's UIDs change), marks events gone from the feed as
    cancelled, and leaves events edited by hand alone.  Every VEVENT of the feed is either
    imported or reported as skipped, with the reason.
    """
    root = Path(directory)
    # Live feeds of other actors are not needed here, and one unreachable partner server must
    # not stop this import: the network is loaded without the ICS source.
    pm = make_plugin_manager(disabled=(ICS_SOURCE,))
    net = load_network(directory, pm)
    actor = net.actors.get(actor_id)
    if actor is None:
        raise click.BadParameter(f"unknown actor {actor_id!r} in {directory}"
                                 + did_you_mean(actor_id, net.actors), param_hint="--actor")
    data, feed_name = _read_source(source, root, timeout, max_bytes)
    feed = read_ics(data, actor=actor.id, source=feed_name, timezone=net.config.timezone,
                    visibility=actor.visibility)
    try:
        day = today.date() if today is not None else date.today()
        report = merge_into(root, feed, feed_name=feed_name, today=day, dry_run=dry_run,
                            reserved=[*net.actors, *net.offers])
    except MergeError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from exc
    if not dry_run:
        try:
            load(root, pm)
        except DataError as exc:  # the builder checked every record; this is a safety net
            click.echo(f"error: {report.path} was written but does not load any more:", err=True)
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            raise SystemExit(1) from exc
    if fmt == "json":
        echo_json(_as_json(feed, report, dry_run))
        return
    for skipped in feed.skipped:
        click.echo(f"{feed_name}:{skipped}", err=True)
    for note in feed.notes:
        click.echo(note.located(feed_name), err=True)
    for ident, why in report.kept:
        click.echo(f"{report.path}: kept {ident}: {why}", err=True)
    _ = gettext_for(lang, net)
    changes = report.added or report.updated or report.removed or report.restored
    verb = (_("dry run, nothing written to") if dry_run else _("updated") if changes
            else _("no change to"))
    click.echo(_("{feed}: {vevents} VEVENTs, {imported} imported, {skipped} skipped; {verb} "
                 "{path}: {added} added, {updated} updated, {unchanged} unchanged, {removed} "
                 "marked removed, {restored} restored, {kept} kept as edited locally").format(
        feed=feed_name, vevents=feed.vevents, imported=len(feed.records),
        skipped=len(feed.skipped), verb=verb, path=report.path, added=len(report.added),
        updated=len(report.updated), unchanged=len(report.unchanged),
        removed=len(report.removed), restored=len(report.restored), kept=len(report.kept)))


def _read_source(source: str, root: Path, timeout: float, max_bytes: int) -> tuple[bytes, str]:
    """The feed's bytes and the name it is recorded under (the URL, or the path relative to
    the data directory where it lies inside it)."""
    if is_url(source):
        try:
            fetched = fetch(source, cache_dir=root / CACHE_DIR, timeout=timeout,
                            max_bytes=max_bytes)
        except FetchError as exc:
            click.echo(f"error: {exc}", err=True)
            raise SystemExit(1) from exc
        return fetched.content, source
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as exc:
        click.echo(f"error: cannot read {source}: {exc.strerror}", err=True)
        raise SystemExit(1) from exc
    if len(data) > max_bytes:
        click.echo(f"error: {source} is {len(data):,} bytes, more than --max-bytes "
                   f"{max_bytes:,}", err=True)
        raise SystemExit(1)
    try:
        name = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        name = str(path.resolve())
    return data, name


def _as_json(feed: ImportedFeed, report: MergeReport, dry_run: bool) -> dict[str, Any]:
    return {
        "source": feed.source, "actor": feed.actor, "file": str(report.path),
        "dry_run": dry_run, "vevents": feed.vevents, "imported": len(feed.records),
        "added": list(report.added), "updated": list(report.updated),
        "unchanged": list(report.unchanged), "removed": list(report.removed),
        "restored": list(report.restored),
        "kept": [{"id": ident, "reason": why} for ident, why in report.kept],
        "skipped": [{"line": s.line, "uid": s.uid, "summary": s.summary, "reason": s.reason}
                    for s in feed.skipped],
        "notes": [{"line": n.line, "uid": n.uid, "message": n.message}
                  for n in feed.notes],
    }
