"""The network: everything loaded, with indexes, queries and a graph view.

>>> from ki_network.testing import tiny_network
>>> net = tiny_network()
>>> [o.id for o in net.offers_where(topic="language")]
['cafe-gm']
>>> sorted(net.partners_of("ki"))
['caritas']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import networkx as nx

from .datadir.build import Built
from .datadir.config import NetworkConfig
from .errors import Origin
from .model import (
    Actor,
    ClosedDay,
    Contact,
    Decision,
    Event,
    Municipality,
    Offer,
    Relation,
    TargetGroup,
    Topic,
    Visibility,
)
from .region import Region

if TYPE_CHECKING:
    from .plugin.manager import Hooks


class Network:
    """Actors, offers, events and relations of one network, read-only after loading.

    Build it with :func:`ki_network.load`.  Indexes are made on first use.
    """

    def __init__(self, config: NetworkConfig, region: Region, topics: Iterable[Topic],  # noqa: PLR0917
                 target_groups: Iterable[TargetGroup], built: Built, hooks: Hooks,
                 directory: Path | None = None) -> None:
        self.config = config
        self.region = region
        self.topics = {t.id: t for t in topics}
        self.target_groups = {g.id: g for g in target_groups}
        self.actors: dict[str, Actor] = built.actors
        self.offers: dict[str, Offer] = built.offers
        self.events: dict[str, Event] = built.events
        self.relations: list[Relation] = built.relations
        self.decisions: list[Decision] = built.decisions
        self.origins: dict[str, Origin] = built.origins
        self.hooks = hooks
        self.directory = directory
        self.record_files: dict[str, Path] = {}  # kind -> file it was read from
        self.audience = Visibility.INTERNAL  # what this copy may show; see for_audience()
        self._closed_days: dict[int, list[ClosedDay]] = {}

    def __repr__(self) -> str:
        return (f"<Network {self.config.name!r}: {len(self.actors)} actors, "
                f"{len(self.offers)} offers, {len(self.events)} events, "
                f"{len(self.relations)} relations>")

    # -- region ------------------------------------------------------------------------------

    def municipality(self, ags: str) -> Municipality:
        """The municipality with AGS ``ags``."""
        return self.region.get(ags)

    def municipality_name(self, ags: str | None) -> str:
        return self.region.get(ags).name if ags else ""

    def main_languages(self, ags: str) -> tuple[str, ...]:
        """Languages that offers in municipality ``ags`` should be available in.

        ``main_languages`` of ``network.yaml`` (by name, AGS or ``default``) wins over the
        region pack's defaults.
        """
        configured = self.config.main_languages
        municipality = self.region.get(ags)
        for key in (ags, municipality.name):
            if key in configured:
                return configured[key]
        return municipality.main_languages or configured.get("default", ())

    def closed_days(self, year: int) -> list[ClosedDay]:
        """Public and school holidays of ``year`` from the region plugins (cached)."""
        if self.config.region is None:
            return []
        if year not in self._closed_days:
            self._closed_days[year] = self.hooks.closed_days(self.config.region, year)
        return self._closed_days[year]

    def closed_on(self, day: date) -> list[ClosedDay]:
        """The closed days that cover ``day``."""
        return [c for c in self.closed_days(day.year) if c.covers(day)]

    # -- vocabularies ------------------------------------------------------------------------

    def topic_ancestors(self, topic_id: str) -> list[str]:
        """``topic_id`` and its parents, nearest first: ``language.informal`` → ``language``."""
        chain: list[str] = []
        current: str | None = topic_id
        while current is not None and current not in chain:
            chain.append(current)
            topic = self.topics.get(current)
            current = topic.parent if topic else None
        return chain

    # -- indexes and queries -----------------------------------------------------------------

    @cached_property
    def _offer_index(self) -> dict[str, dict[str, set[str]]]:
        index: dict[str, dict[str, set[str]]] = {
            key: defaultdict(set)
            for key in ("topic", "municipality", "target_group", "language", "provider", "actor")}
        for offer in self.offers.values():
            if offer.topic:
                for topic in self.topic_ancestors(offer.topic):
                    index["topic"][topic].add(offer.id)
            if offer.municipality:
                index["municipality"][offer.municipality].add(offer.id)
            for group in offer.target_groups:
                index["target_group"][group].add(offer.id)
            for language in offer.languages:
                index["language"][language].add(offer.id)
            index["provider"][offer.provider].add(offer.id)
            for actor in offer.actors:
                index["actor"][actor].add(offer.id)
        return index

    def offers_where(self, *, topic: str | None = None, municipality: str | None = None,
                     target_group: str | None = None, language: str | None = None,
                     provider: str | None = None, actor: str | None = None) -> list[Offer]:
        """Offers matching every given criterion, in data order.

        ``topic`` matches the topic and its sub-topics; ``municipality`` is a name or AGS;
        ``actor`` matches the provider or a partner.
        """
        criteria = {"topic": topic, "target_group": target_group, "language": language,
                    "provider": provider, "actor": actor,
                    "municipality": self._ags(municipality) if municipality else None}
        selected: set[str] | None = None
        for key, value in criteria.items():
            if value is None:
                continue
            ids = self._offer_index[key].get(value, set())
            selected = set(ids) if selected is None else selected & ids
        if selected is None:
            return list(self.offers.values())
        return [offer for offer_id, offer in self.offers.items() if offer_id in selected]

    def _ags(self, reference: str) -> str:
        found = self.region.resolve(reference)
        return found.ags if found else reference

    @cached_property
    def _actors_by_municipality(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = defaultdict(list)
        for actor in self.actors.values():
            for ags in actor.municipalities:
                index[ags].append(actor.id)
        return index

    def actors_serving(self, municipality: str) -> list[Actor]:
        """Actors whose area includes ``municipality`` (name or AGS)."""
        ids = self._actors_by_municipality.get(self._ags(municipality), [])
        return [self.actors[a] for a in ids]

    def partners_of(self, actor_id: str) -> set[str]:
        """Actors tied to ``actor_id`` by any relation, in either direction."""
        graph = self.graph
        if actor_id not in graph:
            return set()
        return set(graph.successors(actor_id)) | set(graph.predecessors(actor_id))

    def items(self) -> Iterator[Offer | Event]:
        """All offers, then all events."""
        yield from self.offers.values()
        yield from self.events.values()

    def actor_topics(self, actor_id: str) -> set[str]:
        """Topics an actor works on: its own ``topics`` and those of its offers and events."""
        return self._actor_topics.get(actor_id, set())

    @cached_property
    def _actor_topics(self) -> dict[str, set[str]]:
        topics: dict[str, set[str]] = defaultdict(set)
        for actor in self.actors.values():
            topics[actor.id].update(actor.topics)
        for item in self.items():
            if item.topic:
                for actor_id in item.actors:
                    topics[actor_id].add(item.topic)
        return topics

    # -- graph -------------------------------------------------------------------------------

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """Actors as nodes, relations as edges (keyed by relation kind), with attributes.

        Node attributes: ``name``, ``kind``, ``municipalities`` (AGS codes), ``topics``,
        ``visibility``.  Edge attributes: ``kind``, ``programme``, ``visibility``.
        """
        graph = nx.MultiDiGraph(name=self.config.name)
        for actor in self.actors.values():
            graph.add_node(actor.id, name=actor.name, kind=actor.kind.value,
                           municipalities=actor.municipalities,
                           topics=tuple(sorted(self.actor_topics(actor.id))),
                           visibility=actor.visibility.value)
        for relation in self.relations:
            graph.add_edge(relation.source, relation.target, key=relation.kind.value,
                           kind=relation.kind.value, programme=relation.programme,
                           visibility=relation.visibility.value)
        return graph

    # -- audiences ---------------------------------------------------------------------------

    def for_audience(self, audience: Visibility | str) -> Network:
        """A copy holding only what ``audience`` may see.

        Items, actors and relations with a more restricted visibility are left out, relations
        and offers are dropped when an actor they need is hidden, and contact data more
        restricted than the audience is removed.  Duplicate decisions are kept only where the
        copy shows both items, and without ``note``, ``by`` and unknown fields.  Every public
        output goes through here.

        >>> from ki_network.testing import tiny_network
        >>> net = tiny_network()
        >>> len(net.for_audience("public").offers)
        1
        """
        audience = Visibility(audience)
        if audience is Visibility.INTERNAL:
            return self

        def visible(visibility: Visibility) -> bool:
            return visibility.visible_to(audience)

        def contact(c: Contact, item_visibility: Visibility) -> Contact:
            return c if visible(c.visibility or item_visibility) else Contact()

        built = Built(origins=dict(self.origins))
        for actor in self.actors.values():
            if visible(actor.visibility):
                built.actors[actor.id] = attrs.evolve(
                    actor, contact=contact(actor.contact, actor.visibility))
        for offer in self.offers.values():
            if visible(offer.visibility) and offer.provider in built.actors:
                built.offers[offer.id] = attrs.evolve(
                    offer, partners=tuple(p for p in offer.partners if p in built.actors),
                    contact=contact(offer.contact, offer.visibility))
        for event in self.events.values():
            organisers = tuple(o for o in event.organisers if o in built.actors)
            if visible(event.visibility) and organisers:
                built.events[event.id] = attrs.evolve(
                    event, organisers=organisers, contact=contact(event.contact, event.visibility))
        # Decisions are the data keepers' working notes: a view keeps only those on two
        # items it shows (so duplicates stay decided), without the note, the person and any
        # field of their own.  See docs/security.md.
        built.decisions = [
            Decision(d.a, d.b, d.verdict, on=d.on) for d in self.decisions
            if (d.a in built.offers or d.a in built.events)
            and (d.b in built.offers or d.b in built.events)]
        built.relations = [
            r for r in self.relations
            if visible(r.visibility) and r.source in built.actors and r.target in built.actors]
        restricted = Network(self.config, self.region, self.topics.values(),
                             self.target_groups.values(), built, self.hooks, self.directory)
        restricted.record_files = dict(self.record_files)
        restricted.audience = audience
        return restricted
