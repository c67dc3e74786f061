"""Missing ties, from the actor graph (:mod:`ki_network.analysis`).

``isolated-actor``
    an actor without any relation (warning for migrant organisations, info for others), and a
    migrant organisation whose ties reach no administration and no provider (warning): it
    has friends, but none who open doors.  The suggestion names whom to introduce it to.
``suggested-introduction``
    two unconnected actors who serve the same municipality on the same topic
    (:func:`ki_network.analysis.suggest_introductions`).  Pairs with a migrant organisation
    or an isolated actor come first, then by how much they share; ``limit`` (default 25) of
    them are listed and one more finding says how many were left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterator, Mapping
from typing import TYPE_CHECKING

import attrs

from ..analysis import Introduction, isolated_actors, suggest_introductions
from ..locale import N_
from ..model import Actor, ActorKind, Finding, Severity
from ..plugin.contracts import RuleBase
from .engine import RuleContext
from .names import Names

if TYPE_CHECKING:
    from ..network import Network

#: the kinds of actor whose tie opens doors for a migrant organisation
DOOR_OPENERS = frozenset({ActorKind.ADMINISTRATION, ActorKind.PROVIDER})
_NAMED = 3


def introductions(network: Network, context: RuleContext) -> list[Introduction]:
    """The graph's suggested introductions, computed once per run."""
    return context.shared_result(("introductions", id(network)),
                             lambda: suggest_introductions(network.graph))


@attrs.frozen
class IsolatedActorRule(RuleBase):
    """Actors without ties; migrant organisations without ties that open doors."""

    id: str = "isolated-actor"
    title: str = N_("Isolated actors")
    default_severity: Severity = Severity.WARNING
    background: bool = True  # with the duplicates, in the second process of a large check

    def check(self, network: Network, context: RuleContext) -> Iterator[Finding]:
        graph = network.graph
        isolated = set(isolated_actors(graph))
        partners_for: dict[Hashable, list[Introduction]] = {}
        for intro in introductions(network, context):
            partners_for.setdefault(intro.a, []).append(intro)
            partners_for.setdefault(intro.b, []).append(intro)
        names = Names(network, context.language)
        # administrations by municipality, looked up per finding (not a scan of all actors)
        doors: dict[str, list[Actor]] = defaultdict(list)
        for candidate in sorted(network.actors.values(), key=lambda a: a.name):
            if candidate.kind is ActorKind.ADMINISTRATION:
                for ags in candidate.municipalities or ("*",):
                    doors[ags].append(candidate)
        for actor in network.actors.values():
            migrant = actor.kind is ActorKind.MIGRANT_ORGANISATION
            if actor.id in isolated:
                reason = "no_relations"
            elif migrant and not any(
                    network.actors[n].kind in DOOR_OPENERS
                    for n in network.partners_of(actor.id) if n in network.actors):
                reason = "no_tie_to_administration_or_provider"
            else:
                continue
            severity = Severity.WARNING if migrant else Severity.INFO
            yield self._finding(network, actor, reason, severity,
                                partners_for.get(actor.id, []), doors, names, context)

    def _finding(self, network: Network, actor: Actor, reason: str,  # noqa: PLR0917
                 severity: Severity, intros: list[Introduction],
                 doors: Mapping[str, list[Actor]], names: Names, context: RuleContext) -> Finding:
        _ = context.gettext
        if reason == "no_relations":
            message = _("{actor} ({id}) has no ties to anyone in the network").format(
                actor=actor.name, id=actor.id)
        else:
            message = _("{actor} ({id}) has ties, but none to an administration or a "
                        "provider").format(actor=actor.name, id=actor.id)
        others = [str(i.b if i.a == actor.id else i.a) for i in intros]
        others.sort(key=lambda o: (network.actors[o].kind not in DOOR_OPENERS, o))
        others = others[:_NAMED]
        if others:
            suggestion = _("Introduce {actor} to {others}: they work on the same topics in the "
                           "same places.").format(
                actor=actor.name, others=names.listing(names.actor(o) for o in others))
        else:
            near = {a.id: a for ags in (*actor.municipalities, "*") for a in doors.get(ags, ())
                    if a.id != actor.id}
            admins = sorted(near.values(), key=lambda a: a.name)[:_NAMED]
            suggestion = _("{admins} could invite {actor} to the network's meetings.").format(
                admins=names.listing(a.name for a in admins), actor=actor.name) if admins \
                else _("The KI could invite {actor} to the network's meetings.").format(
                    actor=actor.name)
            others = [a.id for a in admins]
        return Finding(self.id, severity, (actor.id,), message, suggestion,
                       {"kind": actor.kind.value, "reason": reason,
                        "relations": len(network.partners_of(actor.id)),
                        "municipalities": list(actor.municipalities),
                        "introduce_to": others})


@attrs.frozen
class SuggestedIntroductionRule(RuleBase):
    """Unconnected actors with overlapping topics and municipalities."""

    id: str = "suggested-introduction"
    title: str = N_("Suggested introductions")
    default_severity: Severity = Severity.INFO
    background: bool = True

    def check(self, network: Network, context: RuleContext) -> Iterator[Finding]:
        limit = context.parameter("limit", int, 25)
        isolated = set(isolated_actors(network.graph))

        def bridging(actor: Hashable) -> bool:
            found = network.actors.get(str(actor))
            return actor in isolated or (
                found is not None and found.kind is ActorKind.MIGRANT_ORGANISATION)

        ranked = sorted(introductions(network, context),
                        key=lambda i: (not (bridging(i.a) or bridging(i.b)), -i.score,
                                       str(i.a), str(i.b)))
        names = Names(network, context.language)
        _ = context.gettext
        for intro in ranked[:limit]:
            a, b = str(intro.a), str(intro.b)
            topics = names.listing(names.topic(t) for t in intro.topics)
            places = names.listing(names.municipality(m) for m in intro.municipalities)
            yield Finding(
                self.id, self.default_severity, (a, b),
                _("{a} and {b} both work on {topics} in {places}, but have no tie").format(
                    a=names.actor(a), b=names.actor(b), topics=topics, places=places),
                _("The KI could introduce {a} and {b} to each other.").format(
                    a=names.actor(a), b=names.actor(b)),
                {"municipalities": list(intro.municipalities), "topics": list(intro.topics),
                 "score": intro.score})
        if len(ranked) > limit:
            rest = len(ranked) - limit
            yield Finding(
                self.id, self.default_severity, (),
                context.ngettext("{count} more possible introduction is not listed",
                             "{count} more possible introductions are not listed",
                             rest).format(count=rest),
                _("Raise the limit in network.yaml (rules: {{suggested-introduction: {{limit: "
                  "{limit}}}}}) to see them.").format(limit=limit + rest),
                {"not_listed": rest, "limit": limit})
