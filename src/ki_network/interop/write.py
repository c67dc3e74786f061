"""Writing imported records into a data directory: all of it, or nothing.

* :func:`write_new` makes a new data directory (``-o DIR``): the files are written into a
  temporary directory beside it, loaded once as a check, and then renamed into place.
* :func:`write_into` adds to an existing one (``--into DIR``): a record with the id of an
  existing actor or offer updates it (fields the import does not produce stay, with their
  comments), new ones are appended.  The changed files are written into a copy of the
  directory first, the copy is loaded as a check, and only then are the files replaced.

Both raise :class:`WriteError` and leave the target as it was when anything fails.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from ..datadir import load
from ..datadir.build import Builder
from ..datadir.records import RecordSet
from ..datadir.save import json_default, write_records
from ..datadir.serialize import records_of
from ..datadir.yamlio import Record, atomic_write
from ..datadir.yamlwrite import canonical
from ..errors import DataError, Origin
from ..network import Network
from ..plugin import make_plugin_manager

#: The live-feed source is left out of the check load: a partner's unreachable server must
#: not stop an import.
ICS_SOURCE = "ki_network.builtin.ics"

_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class WriteError(Exception):
    """The records cannot be written; nothing was changed."""


def dump_list(path: Path, records: Sequence[Mapping[str, Any]]) -> None:
    """Write a new list file (``.yaml`` or ``.jsonl``) atomically."""
    with atomic_write(path) as handle:
        if path.suffix == ".jsonl":
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False, default=json_default))
                handle.write("\n")
        else:
            yaml.dump([dict(r) for r in records], handle, Dumper=_Dumper, allow_unicode=True,
                      sort_keys=False, width=100)


def _check(directory: Path, shown_as: Path) -> None:
    try:
        load(directory, make_plugin_manager(disabled=(ICS_SOURCE,)))
    except DataError as exc:
        lines = [str(p).replace(str(directory), str(shown_as)) for p in exc.problems]
        raise WriteError("the result would not load:\n" + "\n".join(lines)) from exc


def write_new(directory: Path, settings: Mapping[str, Any],
              lists: Mapping[str, Sequence[Mapping[str, Any]]], *, suffix: str = ".yaml",
              check: bool = True) -> None:
    """Make data directory ``directory`` with ``network.yaml`` from ``settings`` and one list
    file per kind in ``lists``.

    :param check: load the result before it is moved into place.  Leave it out only for
        records the builder has checked already, written as JSON Lines (which read back
        exactly as written).
    :raises WriteError: ``directory`` exists and is not empty, or the result does not load.
    """
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise WriteError(f"{directory} exists and is not empty; use --into to add to a "
                         "network")
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        with atomic_write(staging / "network.yaml") as handle:
            yaml.dump(dict(settings), handle, Dumper=_Dumper, allow_unicode=True,
                      sort_keys=False)
        for kind, records in lists.items():
            if records:
                dump_list(staging / f"{kind}{suffix}", records)
        if check or suffix != ".jsonl":
            _check(staging, directory)
        if directory.exists():
            directory.rmdir()
        staging.replace(directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def merged(existing: Iterable[Mapping[str, Any]], imported: Iterable[Mapping[str, Any]]
           ) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """``existing`` records with ``imported`` ones laid over them by id; new ones appended.

    Returns the records, the ids updated and the ids added.
    """
    records = [dict(r) for r in existing]
    index = {str(r.get("id")): i for i, r in enumerate(records)}
    updated, added = [], []
    for record in imported:
        ident = str(record["id"])
        if ident in index:
            old = records[index[ident]]
            new = {**old, **record}
            if canonical(new) != canonical(old):
                records[index[ident]] = new
                updated.append(ident)
        else:
            index[ident] = len(records)
            records.append(dict(record))
            added.append(ident)
    return records, updated, added


def refused(network: Network, lists: Mapping[str, Sequence[Record]]
            ) -> dict[tuple[str, int], list[str]]:
    """Which records of ``lists`` (by kind) the loader would refuse in ``network``, and why:
    ``(kind, index) -> messages``.  The network's own records are not checked again; the
    ids they use count as taken.

    >>> from ki_network.testing import tiny_network
    >>> net = tiny_network()
    >>> refused(net, {"events": [Record({"id": "x", "title": "X", "organisers": ["nobody"],
    ...                                  "start": "2026-01-01"}, origin=Origin("feed"))]})
    {('events', 0): ["unknown actor 'nobody'"]}
    """
    records = RecordSet()
    for actor in network.actors.values():  # references to the network's actors resolve
        records.add("actors", Record({"id": actor.id, "name": actor.name},
                                     origin=Origin("<network>")))
    for kind, items in lists.items():
        for index, record in enumerate(items):
            records.add(kind, Record(record, origin=Origin(f"#{kind}#{index}")))
    builder = Builder(network.config, network.region, network.topics.values(),
                      network.target_groups.values(), {})
    _, problems = builder.build(records)
    found: dict[tuple[str, int], list[str]] = {}
    for problem in problems:
        _, kind, position = [*problem.origin.path.split("#"), "", ""][:3]
        if kind and position.isdigit():
            found.setdefault((kind, int(position)), []).append(problem.message)
    return found


def write_into(directory: Path, lists: Mapping[str, Sequence[Mapping[str, Any]]]
               ) -> dict[str, tuple[list[str], list[str]]]:
    """Lay the records of ``lists`` (by kind) over the network in ``directory``.

    Returns, by kind, the ids updated and the ids added.

    :raises WriteError: the result does not load; nothing was changed.
    """
    network = load(directory, make_plugin_manager(disabled=(ICS_SOURCE,)))
    changes: dict[str, tuple[list[str], list[str]]] = {}
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        copy = staging / directory.name
        shutil.copytree(directory, copy, ignore=shutil.ignore_patterns(".git", ".ki-network"),
                        symlinks=True)
        written: list[str] = []
        for kind, records in lists.items():
            source = network.record_files.get(kind)
            name = source.name if source is not None else f"{kind}.yaml"
            updated_records, updated, added = merged(records_of(network, kind), records)
            changes[kind] = (updated, added)
            if updated or added:
                write_records(copy / name, kind, updated_records)
                written.append(name)
        _check(copy, directory)
        for name in written:
            (copy / name).replace(directory / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return changes
