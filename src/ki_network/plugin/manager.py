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
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, entry_points
from importlib.metadata import version as version_of
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from ..errors import DataError, PluginError
from . import spec as hookspecs
from .contracts import AudienceExporter, Completed, as_rule

if TYPE_CHECKING:
    from ..datadir.config import NetworkConfig
    from ..datadir.records import RecordSet
    from ..datadir.yamlio import Record
    from ..model import ClosedDay, Event, Municipality, Offer, TargetGroup, Topic
    from ..network import Network
    from .contracts import DuplicateSignal, Exporter, Rule

hookimpl = pluggy.HookimplMarker("ki_network")

ENTRY_POINT_GROUP = "ki_network"
DISABLE_ENV = "KI_NETWORK_DISABLE_PLUGINS"
TRACE_ENV = "KI_NETWORK_TRACE_HOOKS"

#: Built-in behaviour, registered after the entry points as ordinary plugins.
DEFAULT_PLUGINS = (
    "ki_network.builtin.vocabulary",
    "ki_network.builtin.datadir",
    "ki_network.builtin.ics",
    "ki_network.builtin.exporters",
    "ki_network.builtin.hsds",
    "ki_network.builtin.rules",
    "ki_network.builtin.interop",
)


@attrs.frozen
class PluginLoadFailure:
    """An entry point that could not be imported or registered; the other plugins still load."""

    name: str
    error: str


class PluginManager(pluggy.PluginManager):
    """A pluggy manager that also remembers plugin versions and entry points that failed."""

    def __init__(self) -> None:
        super().__init__("ki_network")
        #: entry points that could not be imported or did not validate; the others loaded.
        self.load_failures: list[PluginLoadFailure] = []
        #: plugin name -> version of the distribution that installed it.
        self.versions: dict[str, str] = {}


def make_plugin_manager(*, entrypoints: bool = True, builtins: bool = True,
                        disabled: Sequence[str] = ()) -> PluginManager:
    """A fresh plugin manager with the hook specifications.

    :param entrypoints: discover installed plugins (entry-point group ``ki_network``).
    :param builtins: register the built-in default plugins.
    :param disabled: plugin names to block, in addition to ``KI_NETWORK_DISABLE_PLUGINS``.

    >>> pm = make_plugin_manager(entrypoints=False)
    >>> "ki_network.builtin.datadir" in {name for name, _ in pm.list_name_plugin()}
    True
    """
    pm = PluginManager()
    pm.add_hookspecs(hookspecs)
    for name in {*disabled, *_env_list(DISABLE_ENV)}:
        pm.set_blocked(name)
    if entrypoints:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if pm.is_blocked(ep.name) or pm.get_plugin(ep.name) is not None:
                continue
            version = ep.dist.version if ep.dist is not None else None
            _register_entry_point(pm, ep.name, ep.load, version)
    if builtins:
        version = _own_version()
        for module_name in DEFAULT_PLUGINS:
            if not pm.is_blocked(module_name):
                pm.register(importlib.import_module(module_name), name=module_name)
                if version:
                    pm.versions[module_name] = version
    pm.check_pending()
    if os.environ.get(TRACE_ENV):
        pm.trace.root.setwriter(sys.stderr.write)
        pm.enable_tracing()
    return pm


def _register_entry_point(pm: PluginManager, name: str, load: Callable[[], object],
                          version: str | None) -> None:
    """Import and register one installed plugin; a failure is recorded, never raised.

    A broken optional plugin must not take the others down: an import error, a hook whose
    name has a typo or whose arguments the specification does not know all end up in
    ``pm.load_failures`` and the plugin stays unregistered.
    """
    try:
        plugin = load()
    except Exception as exc:
        pm.load_failures.append(PluginLoadFailure(name, f"{type(exc).__name__}: {exc}"))
        return
    try:
        pm.register(plugin, name=name)
        # Validated one by one, so that the failure is pinned on this plugin.
        pm.check_pending()
    except (pluggy.PluginValidationError, ValueError) as exc:  # ValueError: registered twice
        if pm.get_plugin(name) is not None:
            pm.unregister(name=name)
        pm.load_failures.append(PluginLoadFailure(name, f"invalid plugin: {exc}"))
        return
    if version:
        pm.versions[name] = version


def _own_version() -> str | None:
    try:
        return version_of("ki-network")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return None


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

    def __init__(self, pm: pluggy.PluginManager, exclude: Iterable[str] = ()) -> None:
        self.pm = pm
        #: plugins that are registered but switched off for these calls (``name: false``).
        self.excluded = frozenset(exclude)

    def without(self, names: Iterable[str]) -> Hooks:
        """The same hooks with plugins ``names`` switched off; the manager is not changed.

        A network's ``plugins: {name: false}`` uses this, so that loading one network does
        not switch a plugin off for the next one loaded with the same manager.
        """
        return Hooks(self.pm, self.excluded | set(names))

    # -- plumbing ----------------------------------------------------------------------------

    def _caller(self, name: str) -> Any:
        caller = getattr(self.pm.hook, name)
        if not self.excluded:
            return caller
        removed = [p for n in self.excluded if (p := self.pm.get_plugin(n)) is not None]
        return self.pm.subset_hook_caller(name, removed) if removed else caller

    def _call(self, name: str, **kwargs: Any) -> Any:
        caller = self._caller(name)
        try:
            return caller(**kwargs)
        except (PluginError, DataError):
            raise  # already says who failed, or is a list of data problems with positions
        except Exception as exc:
            raise PluginError(self._culprit(caller, exc), name, exc) from exc

    @staticmethod
    def _culprit(caller: Any, exc: BaseException) -> str:
        """The plugin whose hook function is on the traceback of ``exc``.

        Pluggy re-raises the plugin's exception unchanged, so the traceback is the only
        record of which implementation raised.
        """
        codes: dict[object, str] = {  # functions and bound methods alike have __code__
            impl.function.__code__: impl.plugin_name for impl in caller.get_hookimpls()}
        for frame, _ in traceback.walk_tb(exc.__traceback__):
            if frame.f_code in codes:
                return codes[frame.f_code]
        return "<unknown>"

    def contributor(self, obj: object) -> str | None:
        """The plugin that defines the class of ``obj`` (a rule, a signal, an exporter ...).

        Matched by module: a plugin owns the objects whose class lives in its module or
        package.
        """
        if isinstance(obj, Completed | AudienceExporter):
            obj = obj.wrapped
        module = type(obj).__module__
        best: tuple[int, str] | None = None
        for name, plugin in self.pm.list_name_plugin():
            if plugin is None or name is None:
                continue
            home = getattr(plugin, "__name__", None) if isinstance(plugin, ModuleType) \
                else type(plugin).__module__
            if home and (module == home or module.startswith(home + ".")) and (
                    best is None or len(home) > best[0]):
                best = (len(home), name)
        return best[1] if best else None

    @contextmanager
    def guard(self, obj: object, hook: str) -> Iterator[None]:
        """Report an exception from an object a plugin contributed like one from a hook.

        Rules, duplicate signals and exporters are called after their hook returned, so
        pluggy cannot say whose they are; wrap the call::

            with network.hooks.guard(exporter, "ki_network_exporters"):
                exporter.export(network, path, options)
        """
        try:
            yield
        except (PluginError, DataError):
            raise
        except Exception as exc:
            raise PluginError(self.contributor(obj) or "<unknown>", hook, exc) from exc

    def implemented(self, name: str) -> bool:
        """True if a plugin that is switched on implements hook ``name``.

        >>> Hooks(make_plugin_manager(entrypoints=False)).implemented("ki_network_read_records")
        True
        """
        return bool(self._caller(name).get_hookimpls())

    def plugins(self) -> list[PluginInfo]:
        """Loaded plugins with version and implemented hooks, entry points first."""
        versions = dict(getattr(self.pm, "versions", {}))
        for plugin, dist in self.pm.list_plugin_distinfo():  # managers not made by us
            versions.setdefault(self.pm.get_name(plugin) or "", dist.version)
        infos = []
        for name, plugin in self.pm.list_name_plugin():
            if plugin is None or name is None or name in self.excluded:
                continue
            hooks = tuple(sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or ()))
            infos.append(PluginInfo(name, versions.get(name), hooks, name in DEFAULT_PLUGINS))
        return sorted(infos, key=lambda p: (p.builtin, p.name))

    @property
    def load_failures(self) -> list[PluginLoadFailure]:
        """Installed plugins that could not be loaded (the others work)."""
        return list(getattr(self.pm, "load_failures", []))

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

    def normalize_records(self, kind: str, records: Iterable[Record],
                          config: NetworkConfig) -> None:
        """:meth:`normalize_record` for many records, with the hook looked up once.

        Nothing is called when no plugin implements the hook: at 300,000 records the bare
        call through pluggy costs about a second.
        """
        caller = self._caller("ki_network_normalize_record")
        impls = caller.get_hookimpls()
        if not impls:
            return
        calls: list[Callable[..., Any]]
        if any(impl.hookwrapper or impl.wrapper for impl in impls):
            calls = [caller]
            names = [("kind", "record", "config")]
        else:
            # The implementations are called directly, in pluggy's order (last registered
            # first) and with the arguments each accepts, as pluggy would: going through
            # pluggy for each of 300,000 records took longer than building them.
            calls = [impl.function for impl in reversed(impls)]
            names = [tuple(impl.argnames) for impl in reversed(impls)]
        plans = list(zip(calls, names, strict=True))
        try:
            for record in records:
                values = {"kind": kind, "record": record, "config": config}
                for function, arguments in plans:
                    function(**{name: values[name] for name in arguments})
        except (PluginError, DataError):
            raise
        except Exception as exc:
            raise PluginError(self._culprit(caller, exc), caller.name, exc) from exc

    def loaded(self, network: Network) -> None:
        self._call("ki_network_loaded", network=network)

    def import_commands(self) -> list[Any]:
        """The ``ki-network import`` subcommands plugins contribute (click commands)."""
        return [c for result in self._call("ki_network_import_commands") for c in result or ()]

    # -- checks and outputs ------------------------------------------------------------------

    def rules(self) -> list[Rule]:
        """Every plugin's rules, completed to the :class:`.contracts.Rule` protocol."""
        return [as_rule(rule) for result in self._call("ki_network_rules")
                for rule in result or ()]

    def duplicate_signals(self) -> list[DuplicateSignal]:
        return [s for result in self._call("ki_network_duplicate_signals") for s in result or ()]

    def exporters(self) -> list[Exporter]:
        """Every exporter, wrapped so that it writes for ``options["audience"]`` only
        (default ``public``): see :class:`~ki_network.plugin.contracts.AudienceExporter`."""
        return [e if isinstance(e, AudienceExporter) else AudienceExporter(e)
                for result in self._call("ki_network_exporters") for e in result or ()]

    def calendar_event(self, component: Any, item: Offer | Event, network: Network) -> None:
        self._call("ki_network_calendar_event", component=component, item=item, network=network)


def _first_wins(results: Sequence[Sequence[Any] | None]) -> list[Any]:
    seen: dict[str, Any] = {}
    for result in results:
        for entry in result or ():
            seen.setdefault(entry.id, entry)
    return list(seen.values())
