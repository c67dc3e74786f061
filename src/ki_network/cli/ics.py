"""``ics import``: take a partner's calendar feed into the data directory's events file."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from ..calendar.ics_import.fetch import (
    CACHE_DIR,
    MAX_BYTES,
    TIMEOUT,
    FetchError,
    fetch,
    is_url,
    public_url,
)
from ..calendar.ics_import.local import FeedFileError, read_feed_file
from ..calendar.ics_import.merge import MergeError, MergeReport, merge_into
from ..calendar.ics_import.reader import ImportedFeed, read_ics
from ..calendar.ics_import.settings import feed_settings
from ..calendar.ics_import.sniff import not_a_calendar
from ..datadir.load import load
from ..datadir.lock import DirectoryLocked
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
@click.option("--allow-mass-removal", is_flag=True,
              help="Mark events removed even when more than the allowed share of the feed's "
                   "events is gone (network.yaml 'feeds: max_removed_share', default 50 %).")
@click.option("--allow-private-addresses", is_flag=True,
              help="Fetch from loopback, private and link-local addresses too (refused by "
                   "default: see docs/security-feeds.md).")
@format_option
@lang_option
@today_option
def import_command(*, source: str, actor_id: str, directory: str, dry_run: bool, timeout: float,
                   max_bytes: int, allow_mass_removal: bool, allow_private_addresses: bool,
                   fmt: str, lang: str | None, today: datetime | None) -> None:
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
    settings, wrong = feed_settings(net.config.extra, root)
    for message in wrong:
        click.echo(f"warning: {net.config.origin_of('feeds')}: {message}", err=True)
    data, feed_name, aliases = _read_source(
        source, root, timeout, max_bytes, dry_run=dry_run,
        allow_private=allow_private_addresses or settings.allow_private_addresses)
    feed = read_ics(data, actor=actor.id, source=feed_name, timezone=net.config.timezone,
                    visibility=actor.visibility)
    day = today.date() if today is not None else date.today()
    try:
        report = merge_into(root, feed, feed_name=feed_name, today=day, dry_run=dry_run,
                            reserved=[*net.actors, *net.offers], aliases=aliases,
                            max_removed_share=settings.max_removed_share,
                            allow_mass_removal=allow_mass_removal or settings.allow_mass_removal)
    except (MergeError, DirectoryLocked) as exc:
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
    changes = (report.added or report.updated or report.removed or report.restored
               or report.renamed)
    verb = (_("dry run, nothing written to") if dry_run else _("updated") if changes
            else _("no change to"))
    click.echo(_("{feed}: {vevents} VEVENTs, {imported} imported, {skipped} skipped; {verb} "
                 "{path}: {added} added, {updated} updated, {unchanged} unchanged, {removed} "
                 "marked removed, {restored} restored, {kept} kept as edited locally").format(
        feed=feed_name, vevents=feed.vevents, imported=len(feed.records),
        skipped=len(feed.skipped), verb=verb, path=report.path, added=len(report.added),
        updated=len(report.updated), unchanged=len(report.unchanged),
        removed=len(report.removed), restored=len(report.restored), kept=len(report.kept)))


def _read_source(source: str, root: Path, timeout: float, max_bytes: int, *, dry_run: bool,
                 allow_private: bool) -> tuple[bytes, str, tuple[str, ...]]:
    """The feed's bytes, the name it is recorded under and the names it may have been
    recorded under before.

    The name is the URL without user name and password, or the path relative to the data
    directory: ``imported.feed`` is exported with the events, and must not carry a password
    or the layout of the machine that imported it.
    """
    if is_url(source):
        try:
            fetched = fetch(source, cache_dir=root / CACHE_DIR, timeout=timeout,
                            max_bytes=max_bytes, allow_private=allow_private,
                            write_cache=not dry_run, check=not_a_calendar)
        except FetchError as exc:
            click.echo(f"error: {exc}", err=True)
            raise SystemExit(1) from exc
        name = public_url(source)
        return fetched.content, name, (source,) if source != name else ()
    path = Path(source)
    try:
        data = read_feed_file(path, max_bytes)
    except FeedFileError as exc:
        click.echo(f"error: cannot read {source}: the file {exc}", err=True)
        raise SystemExit(1) from exc
    junk = not_a_calendar(data)
    if junk:
        click.echo(f"error: {source}: {junk}", err=True)
        raise SystemExit(1)
    resolved = path.resolve()
    try:
        name = os.path.relpath(resolved, root.resolve())
    except ValueError:  # another drive (Windows): no relative path exists
        name = resolved.name
    return data, Path(name).as_posix(), (str(resolved),)


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
