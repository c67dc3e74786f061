"""The hook specifications: every joint where a plugin plugs in, and its reference.

This module is the only place hooks are declared.  Each docstring below *is* the reference
documentation (``docs/plugins.md`` is generated from it).  Hooks only ever gain arguments;
an implementation may accept any subset of a hook's arguments.

A plugin is a module or object with functions marked ``@hookimpl``::

    from ki_network import hookimpl

    @hookimpl
    def ki_network_label_aliases(region):
        return {"Deutschtreff": "language.informal"}

and an entry point in the ``ki_network`` group of its ``pyproject.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click

    from ..datadir.config import NetworkConfig
    from ..datadir.records import RecordSet
    from ..datadir.yamlio import Record
    from ..model import ClosedDay, Event, Municipality, Offer, TargetGroup, Topic
    from ..network import Network
    from .contracts import DuplicateSignal, Exporter, Rule

hookspec = pluggy.HookspecMarker("ki_network")

# --------------------------------------------------------------------------------------------
# Set-up
# --------------------------------------------------------------------------------------------


@hookspec
def ki_network_configure(config: NetworkConfig) -> None:
    """Called once when a network's ``network.yaml`` has been read, before anything is loaded.

    Read your settings with ``config.plugin_settings("<your plugin name>")``.

    :param config: the network's settings.
    """


# --------------------------------------------------------------------------------------------
# Region data
# --------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def ki_network_region_municipalities(region: str) -> Sequence[Municipality] | None:
    """The municipalities of region ``region`` (the ``region:`` of ``network.yaml``).

    Return ``None`` for a region you do not know.  Stops at the first non-None result.

    :param region: the region name, e.g. ``"oberberg"``.
    :return: the municipalities with name, 8-digit AGS and, where known, population and main
        languages.
    """


@hookspec
def ki_network_closed_days(region: str, year: int) -> Sequence[ClosedDay] | None:
    """Public holidays and school holidays of ``year`` in ``region``.

    Results of all plugins are combined, so a plugin can add local days (a town's Kirmes) to
    the state's holidays.

    :param region: the region name.
    :param year: the calendar year.
    :return: closed days, each with a name and ``kind`` ``public_holiday`` or
        ``school_holiday``; ``None`` for a region you do not know.
    """


# --------------------------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------------------------


@hookspec
def ki_network_topics() -> Sequence[Topic]:
    """Topics of integration work (a taxonomy: ``language.informal`` under ``language``).

    Results of all plugins are combined; the first definition of an id wins, in hook call
    order (plugins before the built-in taxonomy).

    :return: topics with German/English labels and parent id.
    """


@hookspec
def ki_network_target_groups() -> Sequence[TargetGroup]:
    """Target groups that offers and events may name (``parents``, ``newcomers`` ...).

    Results of all plugins are combined; the first definition of an id wins.

    :return: target groups with German/English labels.
    """


@hookspec
def ki_network_label_aliases(region: str | None) -> Mapping[str, str] | None:
    """Local labels that stand for a topic, e.g. ``{"Deutschtreff": "language.informal"}``.

    Data may then name the local label in ``topic:``; it is mapped to the topic id when loaded.
    Matching ignores case.  Results of all plugins are combined.

    :param region: the network's region, or ``None``.
    """


# --------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------


@hookspec
def ki_network_read_records(directory: Path, config: NetworkConfig, records: RecordSet) -> None:
    """Read raw records of the network at ``directory`` and add them to ``records``.

    Called in hook order; the built-in data-directory source runs first (``tryfirst``) and the
    ICS feed source last (``trylast``), so a source in between sees the actors already read.
    Report unreadable input with ``records.problem(...)``; never drop a record silently.

    :param directory: the network's data directory.
    :param config: the network's settings.
    :param records: the record set to add to, by kind (``actors``, ``offers``, ``events``,
        ``relations``, ``decisions``).
    """


@hookspec
def ki_network_normalize_record(kind: str, record: Record, config: NetworkConfig) -> None:
    """Clean up one raw record in place before it is checked (municipality-specific fixes).

    :param kind: ``actors``, ``offers``, ``events``, ``relations`` or ``decisions``.
    :param record: the mapping as read; change it in place.
    :param config: the network's settings.
    """


@hookspec
def ki_network_loaded(network: Network) -> None:
    """Called once the network is loaded and valid, before anything reads it.

    Use it to check or index what your plugin needs; raise
    :class:`~ki_network.errors.DataError` to report problems in the data.

    :param network: the loaded network (read it; the model objects are frozen).
    """


@hookspec
def ki_network_import_commands() -> Sequence[click.Command]:
    """Subcommands of ``ki-network import``: one per outside source a plugin can import.

    Return :class:`click.Command` objects; each becomes ``ki-network import <name>``.  The
    built-in plugin contributes ``import hsds``; ``ki-network-integreat`` contributes
    ``import integreat``.  A command writes into a data directory (``-o DIR`` for a new one,
    ``--into DIR`` for an existing one, by convention), reports what it skipped and why, and
    changes nothing when it fails.  When two plugins offer the same name, the first in hook
    order wins and the other is reported.

    Usage::

        @hookimpl
        def ki_network_import_commands():
            return [my_click_command]   # @click.command("mysource") ...

    :return: click commands, named after their source.
    """


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


@hookspec
def ki_network_rules() -> Sequence[Rule]:
    """Coordination rules to run in ``ki-network check``.

    A rule has ``id``, ``title`` (an English heading, ``""`` for none), ``default_severity``,
    ``background`` and ``check(network, context)``, which yields findings; ``context`` is a
    ``ki_network.checks.RuleContext`` (the rule's settings from ``network.yaml``, the run's
    language, ``gettext``, ``today``).  Subclass ``ki_network.plugin.contracts.RuleBase`` for
    the defaults of ``title`` and ``background``.

    :return: objects following :class:`ki_network.plugin.contracts.Rule`.
    """


@hookspec
def ki_network_duplicate_signals() -> Sequence[DuplicateSignal]:
    """Extra similarity signals for duplicate detection.

    :return: objects following :class:`ki_network.plugin.contracts.DuplicateSignal`.
    """


# --------------------------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------------------------


@hookspec
def ki_network_exporters() -> Sequence[Exporter]:
    """Output formats for ``ki-network export``.

    :return: objects following :class:`ki_network.plugin.contracts.Exporter`.
    """


@hookspec
def ki_network_calendar_event(component: Any, item: Offer | Event, network: Network) -> None:
    """Customise one exported calendar event in place (add a property, a category ...).

    :param component: the ``icalendar.Event`` about to be written.
    :param item: the offer or event it was made from.
    :param network: the network being exported.
    """
