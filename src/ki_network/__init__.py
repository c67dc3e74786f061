"""ki-network: coordinate the integration work of a district.

>>> import ki_network
>>> net = ki_network.testing.tiny_network()
>>> net
<Network 'Tiny': 3 actors, 1 offers, 1 events, 1 relations>
"""

from . import testing
from .datadir import load, save
from .datadir.config import NetworkConfig
from .errors import DataError, Origin, PluginError, Problem
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
from .network import Network
from .plugin.manager import Hooks, hookimpl, make_plugin_manager
from .region import Region

__all__ = [
    "Actor",
    "ActorKind",
    "ClosedDay",
    "Contact",
    "DataError",
    "Decision",
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
    "Visibility",
    "hookimpl",
    "load",
    "make_plugin_manager",
    "save",
    "testing",
]
