"""ki-network: coordinate the integration work of a district.

>>> import ki_network
>>> net = ki_network.testing.tiny_network()
>>> net
<Network 'Tiny': 3 actors, 1 offers, 1 events, 1 relations>
"""

from . import testing
from .analysis import write_graph
from .calendar import export_calendar, occurrences, select
from .checks import find_conflicts, run_rules
from .datadir.config import NetworkConfig
from .datadir.load import load
from .datadir.save import save
from .duplicates import DuplicateIndex, DuplicateReport, find_duplicates
from .errors import DataError, Origin, PluginError, Problem, UnknownValueError
from .exports import export, exporters
from .model import (
    Actor,
    ActorKind,
    ClosedDay,
    Contact,
    Decision,
    Event,
    EventStatus,
    Finding,
    GeoPoint,
    Municipality,
    Offer,
    Relation,
    RelationKind,
    Schedule,
    Severity,
    TargetGroup,
    Text,
    Topic,
    Visibility,
)
from .network import Network, restricted
from .plugin.manager import Hooks, hookimpl, make_plugin_manager
from .region import Region
from .report import render_report

#: :func:`ki_network.checks.run_rules` under the name of the command (``ki-network check``)
run_checks = run_rules

__all__ = [
    "Actor",
    "ActorKind",
    "ClosedDay",
    "Contact",
    "DataError",
    "Decision",
    "DuplicateIndex",
    "DuplicateReport",
    "Event",
    "EventStatus",
    "Finding",
    "GeoPoint",
    "Hooks",
    "Municipality",
    "Network",
    "NetworkConfig",
    "Offer",
    "Origin",
    "PluginError",
    "Problem",
    "Region",
    "Relation",
    "RelationKind",
    "Schedule",
    "Severity",
    "TargetGroup",
    "Text",
    "Topic",
    "UnknownValueError",
    "Visibility",
    "export",
    "export_calendar",
    "exporters",
    "find_conflicts",
    "find_duplicates",
    "hookimpl",
    "load",
    "make_plugin_manager",
    "occurrences",
    "render_report",
    "restricted",
    "run_checks",
    "save",
    "select",
    "testing",
    "write_graph",
]
