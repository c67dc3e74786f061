"""The plugin manager: a factory, entry-point discovery, and a typed wrapper over the hooks.

There is no global manager.  Build one with :func:`make_plugin_manager` and hand it to
:func:`ki_network.load`; tests build a bare one with ``entrypoints=False``.

Environment:

* ``KI_NETWORK_DISABLE_PLUGINS=name,name`` blocks plugins by name (entry-point name or
  built-in name);
* ``KI_NETWORK_TRACE_HOOKS=1`` prints every hook call to stderr.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from . import hookspecs
from .errors import PluginError

if TYPE_CHECKING:
    from .config import NetworkConfig
    from .contracts import DuplicateSignal, Exporter, Rule
    from .model import ClosedDay, Event, Municipality, Offer, TargetGroup, Topic
    from .network import Network
    from .records import RecordSet
    from .yamlio import Record

hookimpl = pluggy.HookimplMarker("ki_network")

ENTRY_POINT_GROUP = "ki_network"
DISABLE_ENV = "KI_NETWORK_DISABLE_PLUGINS"
TRACE_ENV = "KI_NETWORK_TRACE_HOOKS"

#: Built-in behaviour, registered after the entry points as ordinary plugins.
DEFAULT_PLUGINS = (
    "ki_network.builtin.vocabulary",
    "ki_network.builtin.datadir",
    "ki_network.builtin.exporters",
    "ki_network.builtin.hsds",
)


@attrs.frozen
class PluginLoadFailure:
    """An entry point that could not be imported; the other plugins still load."""

    name: str
    error: str


def make_plugin_manager(*, entrypoints: bool = True, builtins: bool = True,
                        disabled: Sequence[str] = ()) -> pluggy.PluginManager:
    """A fresh plugin manager with the hook specifications.

    :param entrypoints: discover installed plugins (entry-point group ``ki_network``).
    :param builtins: register the built-in default plugins.
    :param disabled: plugin names to block, in addition to ``KI_NETWORK_DISABLE_PLUGINS``.

    >>> pm = make_plugin_manager(entrypoints=False)
    >>> "ki_network.builtin.datadir" in {name for name, _ in pm.list_name_plugin()}
    True
    """
    pm = pluggy.PluginManager("ki_network")
    pm.add_hookspecs(hookspecs)
    blocked = {*disabled, *_env_list(DISABLE_ENV)}
    for name in blocked:
        pm.set_blocked(name)
    failures: list[PluginLoadFailure] = []
    if entrypoints:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if pm.is_blocked(ep.name) or pm.get_plugin(ep.name) is not None:
                continue
            try:
                plugin = ep.load()
            except Exception as exc:  # a broken plugin must not take the others down
                failures.append(PluginLoadFailure(ep.name, f"{type(exc).__name__}: {exc}"))
                continue
            pm.register(plugin, name=ep.name)
            if ep.dist is not None:  # so list_plugin_distinfo() knows the version
                pm._plugin_distinfo.append((plugin, ep.dist))
    if builtins:
        for module_name in DEFAULT_PLUGINS:
            if not pm.is_blocked(module_name):
                pm.register(importlib.import_module(module_name), name=module_name)
    pm.check_pending()
    pm.ki_network_load_failures = failures  # type: ignore[attr-defined]
    if os.environ.get(TRACE_ENV):
        pm.trace.root.setwriter(sys.stderr.write)
        pm.enable_tracing()
    return pm


def _env_list(name: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]


@attrs.frozen
class PluginInfo:
    """What ``ki-network plugins`` shows about one plugin."""

    name: str
    version: str | None
    hooks: tuple[str, ...]
    builtin: bool


class Hooks:
    """Typed calls of the hooks, one method per hook.

    An exception inside a plugin becomes a :class:`~ki_network.errors.PluginError` that names
    the plugin and the hook.

    >>> hooks = Hooks(make_plugin_manager(entrypoints=False))
    >>> any(t.id == "language.informal" for t in hooks.topics())
    True
    """

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm

    # -- plumbing ----------------------------------------------------------------------------

    def _call(self, name: str, **kwargs: Any) -> Any:
        caller = getattr(self.pm.hook, name)
        try:
            return caller(**kwargs)
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(self._culprit(caller, exc), name, exc) from exc

    def _culprit(self, caller: Any, exc: BaseException) -> str:
        """The plugin whose hook function is on the traceback of ``exc``."""
        codes: dict[object, str] = {
            impl.function.__code__: impl.plugin_name for impl in caller.get_hookimpls()}
        for frame, _ in traceback.walk_tb(exc.__traceback__):
            if frame.f_code in codes:
                return codes[frame.f_code]
        return "<unknown>"

    def plugins(self) -> list[PluginInfo]:
        """Loaded plugins with version and implemented hooks, entry points first."""
        versions = {
            self.pm.get_name(plugin): dist.version
            for plugin, dist in self.pm.list_plugin_distinfo()
        }
        infos = []
        for name, plugin in self.pm.list_name_plugin():
            if plugin is None or name is None:
                continue
            hooks = tuple(sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or ()))
            infos.append(PluginInfo(name, versions.get(name), hooks, name in DEFAULT_PLUGINS))
        return sorted(infos, key=lambda p: (p.builtin, p.name))

    @property
    def load_failures(self) -> list[PluginLoadFailure]:
        return list(getattr(self.pm, "ki_network_load_failures", []))

    def unregister(self, name: str) -> None:
        if self.pm.get_plugin(name) is not None:
            self.pm.unregister(name=name)

    # -- set-up ------------------------------------------------------------------------------

    def configure(self, config: NetworkConfig) -> None:
        self._call("ki_network_configure", config=config)

    # -- region ------------------------------------------------------------------------------

    def region_municipalities(self, region: str) -> list[Municipality] | None:
        result = self._call("ki_network_region_municipalities", region=region)
        return None if result is None else list(result)

    def closed_days(self, region: str, year: int) -> list[ClosedDay]:
        results = self._call("ki_network_closed_days", region=region, year=year)
        days = {day for result in results if result for day in result}
        return sorted(days, key=lambda d: (d.first, d.last, d.name))

    # -- vocabularies ------------------------------------------------------------------------

    def topics(self) -> list[Topic]:
        return _first_wins(self._call("ki_network_topics"))

    def target_groups(self) -> list[TargetGroup]:
        return _first_wins(self._call("ki_network_target_groups"))

    def label_aliases(self, region: str | None) -> dict[str, str]:
        merged: dict[str, str] = {}
        for result in reversed(self._call("ki_network_label_aliases", region=region)):
            merged.update(result or {})
        return merged

    # -- sources -----------------------------------------------------------------------------

    def read_records(self, directory: Path, config: NetworkConfig, records: RecordSet) -> None:
        self._call("ki_network_read_records", directory=directory, config=config, records=records)

    def normalize_record(self, kind: str, record: Record, config: NetworkConfig) -> None:
        self._call("ki_network_normalize_record", kind=kind, record=record, config=config)

    def loaded(self, network: Network) -> None:
        self._call("ki_network_loaded", network=network)

    # -- checks and outputs ------------------------------------------------------------------

    def rules(self) -> list[Rule]:
        return [rule for result in self._call("ki_network_rules") for rule in result or ()]

    def duplicate_signals(self) -> list[DuplicateSignal]:
        return [s for result in self._call("ki_network_duplicate_signals") for s in result or ()]

    def exporters(self) -> list[Exporter]:
        return [e for result in self._call("ki_network_exporters") for e in result or ()]

    def calendar_event(self, component: Any, item: Offer | Event, network: Network) -> None:
        self._call("ki_network_calendar_event", component=component, item=item, network=network)


def _first_wins(results: Sequence[Sequence[Any] | None]) -> list[Any]:
    seen: dict[str, Any] = {}
    for result in results:
        for entry in result or ():
            seen.setdefault(entry.id, entry)
    return list(seen.values())
