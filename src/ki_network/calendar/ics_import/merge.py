"""Re-importing a feed into the data directory's events file without clobbering anything.

Each event written by an import carries its bookkeeping in an ``imported`` mapping::

    - id: caritas-elternabend-3f2a9c01de
      title: Elternabend
      organisers: [caritas]
      start: 2026-03-10T18:00
      uid: 3f2a9c01de@caritas.example
      imported: {feed: feeds/caritas.ics, hash: 0c9d1e3f5a7b9d1f, updated: 2026-11-24}

A re-import of the same feed for the same actor

* finds each feed event's record by UID and RECURRENCE-ID, else by id, else — for sources
  whose UIDs change on every export, as Office 365's do — by start, title and recurrence id;
* updates the fields the import owns
  (:data:`~ki_network.calendar.ics_import.reader.IMPORTED_FIELDS`) in place; fields a person
  added (topic, target groups, municipality, …) stay;
* leaves a record alone that a person edited (the owned fields no longer match ``hash``) or
  marked ``local: true``, and says so;
* marks a record whose event is gone from the feed as ``status: cancelled`` with
  ``imported.removed: <date>`` — subscribers then see the cancellation instead of an event
  that silently vanishes — and restores it if the event comes back; an override of one
  occurrence (``recurrence_id``) that is gone is deleted instead, so that the series' own
  occurrence applies again;
* appends new events at the end.

The file is written the way :func:`ki_network.save` writes it (one writer for all
write-back): in YAML, records that did not change keep their text byte for byte, changed ones
are updated key by key, new ones appended; JSON Lines files are rewritten.  Writes are atomic
and made under the data directory's write lock (:mod:`ki_network.datadir.lock`), after
reading the file again under it, so two imports at once cannot lose each other's records.

A re-import that would mark more than ``max_removed_share`` of the feed's events as removed
is refused (:class:`MassRemoval`) unless ``allow_mass_removal``: a partner's server that
suddenly answers with an empty calendar must not cancel all of that partner's events.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Mapping, MutableMapping, MutableSequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import attrs
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ...datadir.lock import write_lock
from ...datadir.records import list_file
from ...datadir.save import write_records
from ...datadir.serialize import plain
from ...datadir.yamlio import read_yaml
from ...datadir.yamlwrite import canonical
from .reader import IMPORTED_FIELDS, ImportedFeed
from .settings import MAX_REMOVED_SHARE

#: The key of an imported record's bookkeeping mapping.
BOOKKEEPING = "imported"

_FLOW_LISTS = frozenset({"organisers", "exdates", "rdates", "categories"})


class MergeError(Exception):
    """The events file cannot be updated (it is not a list, or not readable)."""


class MassRemoval(MergeError):  # noqa: N818 - reads as what was refused
    """The re-import would mark more of the feed's events as removed than allowed."""


@attrs.frozen
class MergeReport:
    """What a re-import did, by record id."""

    path: Path
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    restored: tuple[str, ...] = ()
    #: records left as they are although the feed differs: (id, why)
    kept: tuple[tuple[str, str], ...] = ()
    #: records whose ``imported.feed`` was renamed to the feed's current name
    renamed: tuple[str, ...] = ()


def fingerprint(record: Mapping[str, Any]) -> str:
    """A hash of the fields an import owns, as they stand in ``record``.

    Spelling does not matter (a date or its ISO text, a flow or a block list), only values.

    >>> fingerprint({"title": "A", "start": date(2026, 1, 1), "topic": "x"}) == fingerprint(
    ...     {"title": "A", "start": "2026-01-01"})
    True
    """
    owned = {key: canonical(record[key]) for key in IMPORTED_FIELDS if key in record}
    text = json.dumps(owned, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _key_text(value: Any) -> str:
    return "" if value is None else str(canonical(value))


def _title_key(value: Any) -> str:
    if isinstance(value, Mapping):
        value = next(iter(value.values()), "")
    return " ".join(str(value or "").split()).casefold()


def _organisers(record: Mapping[str, Any]) -> list[str]:
    value = record.get("organisers")
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def feed_records(items: Iterable[Any], feed_name: str, actor: str, aliases: Iterable[str] = ()
         ) -> list[MutableMapping[str, Any]]:
    """The records of ``items`` imported from feed ``feed_name`` (or one of its former names
    ``aliases``) for ``actor``."""
    names = {feed_name, *aliases}
    return [item for item in items
            if isinstance(item, MutableMapping) and isinstance(item.get(BOOKKEEPING), Mapping)
            and item[BOOKKEEPING].get("feed") in names and actor in _organisers(item)]


def merge(items: MutableSequence[Any], feed: ImportedFeed, *, feed_name: str, today: date,
          new_item: Any = dict, reserved: Iterable[str] = (),
          aliases: Iterable[str] = ()) -> MergeReport:
    """Bring the event records ``items`` (a list as loaded from the events file) in line with
    ``feed``; see the module documentation.  ``items`` is changed in place.

    :param feed_name: how the feed is named in ``imported.feed`` (path or URL).
    :param today: the date written to ``updated`` / ``removed``.
    :param new_item: makes a new mapping for an appended record (``CommentedMap`` for YAML).
    :param reserved: ids used elsewhere in the network (actors, offers), not to be taken.
    :param aliases: names the feed was recorded under before (a URL with a password, an
        absolute path); such records are the feed's and take its current name.
    """
    ours = feed_records(items, feed_name, feed.actor, aliases)
    renamed = []
    for item in ours:
        if item[BOOKKEEPING].get("feed") != feed_name:
            item[BOOKKEEPING]["feed"] = feed_name
            renamed.append(str(item.get("id")))
    ids_in_file = {str(item.get("id")) for item in items if isinstance(item, Mapping)}
    ids_in_file.update(reserved)
    by_uid = {(_key_text(i.get("uid")), _key_text(i.get("recurrence_id"))): i
              for i in reversed(ours) if i.get("uid") is not None}
    by_id = {str(i.get("id")): i for i in reversed(ours)}
    by_look: dict[tuple[str, str, str], list[MutableMapping[str, Any]]] = {}
    for item in ours:
        look = (_key_text(item.get("start")), _title_key(item.get("title")),
                _key_text(item.get("recurrence_id")))
        by_look.setdefault(look, []).append(item)

    matched: set[int] = set()
    result: dict[str, list[Any]] = {
        k: [] for k in ("added", "updated", "unchanged", "removed", "restored", "kept")}

    def free(item: MutableMapping[str, Any] | None) -> MutableMapping[str, Any] | None:
        return item if item is not None and id(item) not in matched else None

    for record in feed.records:
        fields = {k: plain(v) for k, v in record.items() if k != "id"}
        look = (_key_text(fields.get("start")), _title_key(fields.get("title")),
                _key_text(fields.get("recurrence_id")))
        target = (free(by_uid.get((_key_text(fields.get("uid")),
                                   _key_text(fields.get("recurrence_id")))))
                  if fields.get("uid") is not None else None)
        target = target or free(by_id.get(record["id"]))
        target = target or next((i for i in by_look.get(look, []) if free(i) is not None), None)
        if target is None:
            if record["id"] in ids_in_file:
                result["kept"].append((record["id"], "the id is taken by a record that was not "
                                       "imported from this feed; left as it is"))
                continue
            item = new_item()
            for key, value in {"id": record["id"], **fields}.items():
                item[key] = _styled(new_item, key, value)
            item[BOOKKEEPING] = _styled(new_item, BOOKKEEPING, {
                "feed": feed_name, "hash": fingerprint(fields), "updated": today})
            items.append(item)
            ids_in_file.add(record["id"])
            result["added"].append(record["id"])
            continue
        matched.add(id(target))
        ident = str(target.get("id"))
        why = _local(target)
        if why:
            result["kept"].append((ident, why))
            continue
        changed = _update(target, fields, new_item)
        book = target[BOOKKEEPING]
        was_removed = "removed" in book
        if was_removed:
            del book["removed"]
        book["hash"] = fingerprint(target)
        if changed or was_removed:
            book["updated"] = _styled(new_item, "", today)
        result["restored" if was_removed else "updated" if changed else "unchanged"].append(ident)

    for item in ours:
        if id(item) in matched:
            continue
        ident = str(item.get("id"))
        why = _local(item)
        if why:
            result["kept"].append((ident, f"gone from the feed, but {why}"))
        elif item.get("recurrence_id") is not None:
            # A moved occurrence that is no longer moved: cancelling the override would cancel
            # the occurrence itself, so the override goes and the series applies again.
            del items[next(i for i, x in enumerate(items) if x is item)]
            result["removed"].append(ident)
        elif "removed" not in item[BOOKKEEPING]:
            _set(item, "status", "cancelled", new_item)
            item[BOOKKEEPING]["removed"] = _styled(new_item, "", today)
            item[BOOKKEEPING]["hash"] = fingerprint(item)
            result["removed"].append(ident)
    return MergeReport(Path(), renamed=tuple(renamed),
                       **{k: tuple(v) for k, v in result.items()})


def _local(item: Mapping[str, Any]) -> str | None:
    """Why ``item`` must not be changed by an import, or ``None``."""
    if item.get("local") is True:
        return "it is marked 'local: true'"
    if item[BOOKKEEPING].get("hash") != fingerprint(item):
        return ("it was edited by hand since the last import (delete the record to take the "
                "feed's version again)")
    return None


def _update(target: MutableMapping[str, Any], fields: Mapping[str, Any], new_item: Any) -> bool:
    changed = False
    for key in IMPORTED_FIELDS:
        if key in target and key not in fields:
            del target[key]
            changed = True
    for key, value in fields.items():
        if key in target and canonical(target[key]) == canonical(value):
            continue
        _set(target, key, value, new_item)
        changed = True
    return changed


def _set(target: MutableMapping[str, Any], key: str, value: Any, new_item: Any) -> None:
    styled = _styled(new_item, key, value)
    if key not in target and isinstance(target, CommentedMap) and BOOKKEEPING in target:
        # New fields go before the bookkeeping, where a person reading the record expects them.
        target.insert(list(target).index(BOOKKEEPING), key, styled)
    elif key not in target and BOOKKEEPING in target:
        book = target.pop(BOOKKEEPING)
        target[key] = styled
        target[BOOKKEEPING] = book
    else:
        target[key] = styled


def _styled(new_item: Any, key: str, value: Any) -> Any:
    """``value`` as the file wants it: short lists and small mappings in flow style in YAML.

    Every value is a fresh object: ruamel.yaml writes an object met twice as an anchor and an
    alias, which the data directory's safe loader refuses.
    """
    if new_item is not CommentedMap:
        return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return date(value.year, value.month, value.day)
    if isinstance(value, list):
        seq = CommentedSeq(_styled(new_item, "", v) for v in value)
        if key in _FLOW_LISTS:
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, Mapping):
        mapping = CommentedMap((k, _styled(new_item, "", v)) for k, v in value.items())
        mapping.fa.set_flow_style()
        return mapping
    return value


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def merge_into(directory: Path, feed: ImportedFeed, *, feed_name: str, today: date,
               dry_run: bool = False, reserved: Iterable[str] = (),
               aliases: Iterable[str] = (), max_removed_share: float = MAX_REMOVED_SHARE,
               allow_mass_removal: bool = False) -> MergeReport:
    """Merge ``feed`` into the events file of ``directory`` and write it (atomically, under
    the directory's write lock, reading the file under the lock).

    :param max_removed_share: the largest share of the feed's events (those not yet marked
        removed) that may be marked removed; more raises :class:`MassRemoval` and nothing is
        written, unless ``allow_mass_removal``.
    :raises MergeError: the events file is not a list of records or cannot be read.
    :raises ~ki_network.datadir.lock.DirectoryLocked: another process kept writing.
    """
    with contextlib.nullcontext() if dry_run else write_lock(directory):
        path = events_file(directory)
        items = _read_jsonl(path) if path.suffix == ".jsonl" else _read_yaml(path)
        active = sum(1 for item in feed_records(items, feed_name, feed.actor, aliases)
                     if "removed" not in item[BOOKKEEPING] and item.get("local") is not True)
        report = merge(items, feed, feed_name=feed_name, today=today, reserved=reserved,
                       aliases=aliases)
        removed = len(report.removed)
        if removed and not allow_mass_removal and removed > max_removed_share * active:
            raise MassRemoval(
                f"{feed_name}: the feed no longer has {removed} of the {active} events "
                f"imported from it before ({removed / active:.0%}, more than "
                f"{max_removed_share:.0%}); nothing was changed.  If the partner really "
                "removed them, import again with --allow-mass-removal (or set 'feeds: "
                "allow_mass_removal: true' in network.yaml)")
        if not dry_run and (_changed(report) or report.renamed):
            write_records(path, "events", [plain(item) for item in items],
                          flow=_FLOW_LISTS | {BOOKKEEPING, "geo"})
    return attrs.evolve(report, path=path)


def events_file(directory: Path) -> Path:
    """The events file of data directory ``directory`` (``events.yaml`` if there is none)."""
    return list_file(directory, "events") or directory / "events.yaml"


def _changed(report: MergeReport) -> bool:
    return bool(report.added or report.updated or report.removed or report.restored)


def _read_yaml(path: Path) -> list[Any]:
    if not path.exists():
        return []
    data, problems = read_yaml(path)
    if problems:
        raise MergeError(str(problems[0]))
    if data is None:
        return []
    if not isinstance(data, list):
        raise MergeError(f"{path}: must be a list of events, one '- ' item each")
    return list(data)


def _read_jsonl(path: Path) -> list[Any]:
    items: list[Any] = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise MergeError(f"{path}: cannot read: {exc.strerror}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise MergeError(f"{path}:{number}: not valid JSON: {exc.msg}") from exc
    return items
