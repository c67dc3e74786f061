"""What goes into a calendar: the items matching the filters (overrides follow their series)
and the grouping into one file per actor or municipality."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ...errors import UnknownValueError, check_type
from ...model import Event
from ..series import Item

if TYPE_CHECKING:
    from ...network import Network


def select(network: Network, *, actor: str | None = None, municipality: str | None = None,
           topic: str | None = None, target_group: str | None = None) -> list[Item]:
    """Offers and events matching every given filter; overrides follow their series.

    ``municipality`` is a name or AGS; ``topic`` matches sub-topics too; ``actor`` matches a
    provider, partner or organiser.  A value the network does not know raises
    :class:`~ki_network.errors.UnknownValueError` (a ``ValueError``) with a "did you mean";
    the check is made on ``network`` as given, so a filter that names something the
    audience may not see is not an error but selects nothing.
    """
    given = {"actor": actor, "municipality": municipality, "topic": topic,
             "target_group": target_group}
    for name, value in given.items():
        check_type("select", name, value, str, optional=True)
        if value is not None:
            network.check_known(name, value)
    ags = network.municipality(municipality).ags if municipality is not None else None

    def matches(item: Item) -> bool:
        return ((actor is None or actor in item.actors)
                and (ags is None or item.municipality == ags)
                and (topic is None or (item.topic is not None
                                       and topic in network.topic_ancestors(item.topic)))
                and (target_group is None or target_group in item.target_groups))

    chosen = [item for item in network.items()
              if not (isinstance(item, Event) and item.overrides) and matches(item)]
    uids = {item.uid for item in chosen if isinstance(item, Event) and item.uid}
    masters = {e.uid for e in network.events.values() if e.uid and not e.overrides}
    chosen.extend(e for e in network.events.values() if e.overrides and (
        e.uid in uids or (e.uid not in masters and matches(e))))
    return chosen


def split(network: Network, items: Sequence[Item], by: str) -> dict[str, tuple[str, list[Item]]]:
    """``items`` grouped for one file each: key → (label, items), keys usable as file names.

    ``by`` is ``actor`` (an item is in the file of each of its actors) or ``municipality``
    (items without one go under ``no-municipality``).
    """
    if by not in ("actor", "municipality"):
        raise UnknownValueError("by", by, ("actor", "municipality"), what="grouping")
    masters = {e.uid: e for e in items if isinstance(e, Event) and e.uid and not e.overrides}
    groups: dict[str, tuple[str, list[Item]]] = {}
    for item in items:
        owner = masters.get(item.uid, item) if isinstance(item, Event) and item.overrides and \
            item.uid else item
        if by == "actor":
            keys = [(a, network.actors[a].name if a in network.actors else a)
                    for a in owner.actors]
        elif owner.municipality:
            keys = [(owner.municipality, network.municipality_name(owner.municipality))]
        else:
            keys = [("no-municipality", "—")]
        for key, label in keys:
            groups.setdefault(key, (label, []))[1].append(item)
    return dict(sorted(groups.items()))
