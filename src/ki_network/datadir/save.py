"""Saving a network back to its data directory without losing anything.

YAML files are updated in place with ruamel.yaml's round-trip mode: records that did not
change are not touched (their comments, quoting and order stay), changed records are updated
key by key, new ones are appended and removed ones deleted.  JSON Lines files are rewritten.
Every write is atomic.

>>> import tempfile, pathlib
>>> from ki_network.testing import tiny_network
>>> net = tiny_network()
>>> target = pathlib.Path(tempfile.mkdtemp())
>>> save(net, target)
>>> from ki_network import load
>>> load(target, net.hooks.pm).offers == net.offers
True"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import Visibility
from .records import KINDS
from .serialize import plain, records_of
from .yamlio import atomic_write

if TYPE_CHECKING:
    from ..network import Network
from .lock import write_lock
from .yamlwrite import to_yaml, update_yaml_list, write_yaml


def save(network: Network, directory: str | Path | None = None,
         kinds: Iterable[str] = KINDS) -> None:
    """Write the network's records to ``directory`` (default: where it was loaded from).

    Each kind goes to the file it was read from (``.yaml`` or ``.jsonl``), else to
    ``<kind>.yaml``; a kind without records gets no new file.  Saving to another directory
    writes a complete data directory: ``network.yaml`` and the list files are copied from
    where the network was loaded (comments and order kept) and then updated, and partner
    feed files that actors name by a relative path come along.

    A network restricted to an audience (:meth:`~ki_network.Network.for_audience`) is
    refused: saving it would delete everything the audience may not see.

    The files are written under the directory's write lock (:mod:`ki_network.datadir.lock`)
    and read again under it.

    :raises ~ki_network.datadir.lock.DirectoryLocked: another process kept writing.
    """
    if network.audience is not Visibility.INTERNAL:
        raise ValueError(f"this network is restricted to {network.audience.value!r}; save the "
                         "full network (saving a restricted copy would delete the rest)")
    target = Path(directory) if directory is not None else network.directory
    if target is None:
        raise ValueError("the network was not loaded from a directory; name one")
    source = network.directory
    elsewhere = source is not None and _other(source, target)
    target.mkdir(parents=True, exist_ok=True)
    with write_lock(target):
        _save(network, target, kinds, source if elsewhere else None)


def _save(network: Network, target: Path, kinds: Iterable[str], source: Path | None) -> None:
    """Write under the lock; ``source`` is the directory loaded from when it is another."""
    elsewhere = source is not None
    if not (target / "network.yaml").exists():
        if source is not None and (source / "network.yaml").is_file():
            shutil.copyfile(source / "network.yaml", target / "network.yaml")
        else:
            write_yaml(target / "network.yaml", _config_record(network))
    for kind in kinds:
        read_from = network.record_files.get(kind)
        path = target / (read_from.name if read_from is not None else f"{kind}.yaml")
        if elsewhere and read_from is not None and read_from.is_file() and not path.exists():
            shutil.copyfile(read_from, path)  # then updated in place: comments stay
        records = records_of(network, kind)
        if not records and not path.exists():
            continue
        write_records(path, kind, records)
    if source is not None:
        _copy_feeds(network, source, target)


def _other(source: Path, target: Path) -> bool:
    try:
        return not source.resolve().samefile(target.resolve())
    except OSError:  # the target does not exist yet
        return True


def _copy_feeds(network: Network, source: Path, target: Path) -> None:
    """Partner feed files named by a relative path, so the new directory loads alike."""
    for actor in network.actors.values():
        feed = actor.calendar
        if not feed or "://" in feed or Path(feed).is_absolute():
            continue
        original, copy = source / feed, target / feed
        if original.is_file() and not copy.exists():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(original, copy)


def _config_record(network: Network) -> dict[str, Any]:
    config = network.config
    record: dict[str, Any] = {"name": config.name, "timezone": config.timezone,
                              "language": config.language, "id_namespace": config.id_namespace}
    if config.region:
        record["region"] = config.region
    for key, value in (("main_languages", config.main_languages), ("rules", config.rules),
                       ("plugins", config.plugins)):
        if value:
            record[key] = plain(value)
    record.update(plain(config.extra))
    return record


def write_records(path: Path, kind: str, records: Sequence[Mapping[str, Any]], *,
                  flow: frozenset[str] = frozenset()) -> None:
    """Write ``records`` to ``path``: JSON Lines rewritten, YAML updated in place (new values
    of the keys in ``flow`` in flow style).  The caller holds the directory's write lock."""
    if path.suffix == ".jsonl":
        with atomic_write(path) as handle:
            for record in records:
                handle.write(json.dumps(plain(record), ensure_ascii=False, default=json_default))
                handle.write("\n")
    elif path.exists():
        update_yaml_list(path, kind, records, flow=flow)
    else:
        write_yaml(path, to_yaml(plain(list(records)), flow))


def json_default(value: Any) -> Any:
    """``default=`` for :func:`json.dumps`: dates as ISO text."""
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


