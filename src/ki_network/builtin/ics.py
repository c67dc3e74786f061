"""The ICS feed source: events from the partner calendars that actors name in ``calendar:``.

An actor's ``calendar:`` is a path relative to the data directory (``feeds/caritas.ics``) or
an ``http(s)://`` / ``webcal://`` URL.  The feed is read each time the network is loaded;
URLs are fetched with a conditional GET and cached in ``.ki-network/feeds/``, and when the
server cannot be reached the copy fetched last is used (with a warning).

This source runs last (``trylast``), after the data directory: an event in ``events.yaml``
with the same id, or the same organiser, UID and recurrence id, wins over the feed's — that is
how a person overrides one event of a live feed, and why a feed imported into ``events.yaml``
with ``ki-network ics import`` is not read twice.

Skipped VEVENTs and repairs are reported on the ``ki_network.ics`` logger (warnings and
info); a feed that cannot be read at all is a data problem at the actor's ``calendar:``.

Partners may edit ``calendar:``, so it is bounded (``docs/security-feeds.md``): URLs only on
public addresses unless ``network.yaml`` says ``feeds: allow_private_addresses: true``; a
body that cannot be decoded or is not a calendar at all counts as unreachable (the cached
copy is used, and never replaced by junk); files only inside the data directory (or a folder
in ``feeds: folders``), regular and at most :data:`MAX_BYTES`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..calendar.ics_import.fetch import (
    CACHE_DIR,
    MAX_BYTES,
    FetchError,
    fetch,
    is_url,
    public_url,
)
from ..calendar.ics_import.local import FeedFileError, confined, read_feed_file
from ..calendar.ics_import.reader import read_ics
from ..calendar.ics_import.settings import FeedSettings, feed_settings
from ..calendar.ics_import.sniff import not_a_calendar
from ..datadir.build import ID_PATTERN
from ..datadir.config import NetworkConfig
from ..datadir.records import RecordSet
from ..datadir.yamlio import Record
from ..errors import Problem
from ..model import Visibility
from ..plugin.manager import hookimpl

logger = logging.getLogger("ki_network.ics")


def _identity(record: Any) -> tuple[str, str, str] | None:
    if not isinstance(record, dict) or record.get("uid") is None:
        return None
    organisers = record.get("organisers")
    first = organisers[0] if isinstance(organisers, list) and organisers else organisers
    return (str(first), str(record["uid"]), str(record.get("recurrence_id") or ""))


@hookimpl(trylast=True)
def ki_network_read_records(directory: Path, config: NetworkConfig, records: RecordSet) -> None:
    events = records.records["events"]
    # Ids are unique across all kinds: a feed event must not take an actor's or offer's id.
    taken_ids = {str(r.get("id")) for kind in records.records.values() for r in kind}
    taken = {key for r in events if (key := _identity(r)) is not None}
    settings, wrong = feed_settings(config.extra, directory)
    for message in wrong:
        records.problem(Problem(config.origin_of("feeds"), message))
    for actor in list(records.records["actors"]):
        source = actor.get("calendar")
        ident = actor.get("id")
        if not isinstance(source, str) or not source.strip():
            continue
        if not isinstance(ident, str) or not ID_PATTERN.match(ident):
            continue  # the builder reports the bad id; a feed needs a valid organiser
        loaded = _load(actor, source.strip(), directory, records, settings)
        if loaded is None:
            continue
        data, name = loaded
        try:
            visibility = Visibility(actor.get("visibility") or "public")
        except ValueError:
            visibility = Visibility.PUBLIC  # the builder reports the bad value
        try:
            feed = read_ics(data, actor=ident, source=name, timezone=config.timezone,
                            visibility=visibility)
        except Exception as exc:  # the reader never raises; should it, say where
            records.problem(Problem(actor.origin_of("calendar"),
                                    f"calendar of actor {ident!r}: {name}: cannot be read: "
                                    f"{type(exc).__name__}: {exc}"))
            continue
        for skipped in feed.skipped:
            logger.warning("%s:%s", name, skipped)
        for note in feed.notes:
            logger.info("%s", note.located(name))
        for record in feed.records:
            key = _identity(record)
            if record["id"] in taken_ids or key in taken:
                logger.info("%s: id %s of a feed event is taken in the data directory (an "
                            "edited copy in the events file wins)", name, record["id"])
                continue
            taken_ids.add(record["id"])
            records.add("events", record)


def _load(actor: Record, source: str, directory: Path, records: RecordSet,
          settings: FeedSettings) -> tuple[bytes, str] | None:
    origin = actor.origin_of("calendar")
    who = f"calendar of actor {actor.get('id')!r}"
    if is_url(source):
        try:
            fetched = fetch(source, cache_dir=directory / CACHE_DIR, offline_fallback=True,
                            allow_private=settings.allow_private_addresses,
                            check=not_a_calendar)
        except FetchError as exc:
            records.problem(Problem(origin, f"{who}: {exc}"))
            return None
        if fetched.status == "cached":
            logger.warning("%s: %s; using the copy fetched earlier", origin, fetched.error)
        return fetched.content, public_url(source)
    try:
        path = confined(directory, source, settings.folders)
        data = read_feed_file(path, MAX_BYTES)
    except FeedFileError as exc:
        where = f" in {directory}" if str(exc) == "not found" else ""
        records.problem(Problem(origin, f"{who}: file {source!r} {exc}{where}"))
        return None
    junk = not_a_calendar(data)
    if junk:
        records.problem(Problem(origin, f"{who}: file {source!r}: {junk}"))
        return None
    return data, source

