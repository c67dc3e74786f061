"""``load(path) -> Network``: read a data directory through the source plugins."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from os import PathLike
from pathlib import Path

import pluggy

from ..errors import DataError, Origin, Problem
from ..network import Network
from ..plugin.manager import Hooks, make_plugin_manager
from ..region import Region, did_you_mean
from .build import Builder, Progress
from .config import NetworkConfig, config_from_record
from .records import KINDS, RecordSet
from .yamlio import read_yaml


def load(path: str | PathLike[str], plugin_manager: pluggy.PluginManager | None = None,
         *, progress: Progress | None = None) -> Network:
    """Load the network in data directory ``path``.

    ``progress(done, total)``, if given, is told now and then how many records are built
    (the command line shows a progress bar with it on a terminal).

    Raises :class:`~ki_network.DataError` with every problem when the data is invalid, and
    :class:`~ki_network.PluginError` when a plugin fails.

    >>> net = load("examples/oberberg")  # doctest: +SKIP
    >>> len(net.actors)  # doctest: +SKIP
    64
    """
    directory = Path(path)
    if not directory.is_dir():
        raise DataError([Problem(Origin(str(directory)), "not a directory")])
    with _cyclic_gc_paused():
        return _load(directory, plugin_manager, progress)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while loading.

    Loading allocates millions of containers (records, tuples, model objects) and frees
    almost none, so the collector runs thousands of times and finds nothing: for 300,000
    records it took half of the load time.  Reference counting still frees everything that
    is dropped; the collector runs again as usual afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What was loaded stays alive: it goes straight to the oldest generation (freeze
        # and unfreeze move every tracked object there), so that the young generations'
        # next collections do not walk millions of objects once more (0.4 s at 300,000
        # records).  Garbage among them is still found by the next full collection.  Not
        # when the program froze objects itself (gc.freeze before fork): they stay frozen.
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


def _load(directory: Path, plugin_manager: pluggy.PluginManager | None,
          progress: Progress | None) -> Network:
    hooks = Hooks(plugin_manager or make_plugin_manager())
    config, problems = read_config(directory)
    if problems and config.origins == {} and (directory / "network.yaml").exists():
        # network.yaml did not parse: without its region and settings every record would
        # report a follow-up error; the syntax error alone is what to fix first
        raise DataError(problems)
    hooks = hooks.without(n for n, v in config.plugins.items() if v is False)
    hooks.configure(config)

    region, region_problems = _region(config, hooks)
    problems += region_problems
    records = RecordSet()
    hooks.read_records(directory, config, records)
    for kind in KINDS:
        hooks.normalize_records(kind, records.records[kind], config)
    builder = Builder(config, region, hooks.topics(), hooks.target_groups(),
                      hooks.label_aliases(config.region))
    built, build_problems = builder.build(records, progress)
    problems += _without_follow_ups(build_problems, records.unreadable)
    if problems:
        raise DataError(problems)
    network = Network(config, region, builder.topics.values(), builder.target_groups.values(),
                      built, hooks, directory, record_files=records.files)
    hooks.loaded(network)
    return network


#: What a reference to a record of a kind says when that record is missing.
_FOLLOW_UPS = {"actors": ("unknown actor ",), "offers": ("unknown offer ",),
               "events": ("unknown offer ",)}


def _without_follow_ups(problems: list[Problem], unreadable: list[str]) -> list[Problem]:
    """``problems`` without the references to records of a file that did not parse.

    The file's syntax error is what to fix; "unknown actor" for every offer of a provider in
    a broken ``actors.yaml`` would bury it under hundreds of lines.
    """
    prefixes = tuple(p for kind in unreadable for p in _FOLLOW_UPS.get(kind, ()))
    if not prefixes:
        return problems
    return [p for p in problems if not p.message.startswith(prefixes)]


def read_config(directory: Path) -> tuple[NetworkConfig, list[Problem]]:
    """Read ``network.yaml`` of ``directory``."""
    path = directory / "network.yaml"
    data, problems = read_yaml(path, str(path))
    config, config_problems = config_from_record(data, str(path), directory)
    return config, problems + config_problems


def _region(config: NetworkConfig, hooks: Hooks) -> tuple[Region, list[Problem]]:
    if config.region is None:
        return Region(None, ()), []
    municipalities = hooks.region_municipalities(config.region)
    if municipalities is None:
        origin = config.origin_of("region")
        installed = [p.name for p in hooks.plugins() if not p.builtin]
        failed = [f.name for f in hooks.load_failures]
        if failed:  # the likeliest cause: say it first
            hint = (f" (plugins that failed to load: {', '.join(failed)} — see their "
                    "warnings; `ki-network plugins` shows why)")
        else:
            hint = did_you_mean(config.region, installed) or (
                f" (installed plugins: {', '.join(installed) or 'none'}; "
                "install the region's plugin, e.g. ki-network-oberberg)")
        return Region(config.region, ()), [
            Problem(origin, f"unknown region {config.region!r}: no plugin provides it{hint}")]
    return Region(config.region, municipalities), []
