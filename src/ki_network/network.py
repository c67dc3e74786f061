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
from .errors import Origin, UnknownValueError, check_type
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

    def municipality(self, reference: str) -> Municipality:
        """The municipality named by ``reference`` (name, any case, or AGS).

        Raises :class:`~ki_network.errors.UnknownValueError` (a ``ValueError``) for a
        municipality the region does not know, with a "did you mean".
        """
        check_type("municipality", "reference", reference, str)
        found = self.region.resolve(reference)
        if found is None:
            raise UnknownValueError("municipality", reference,
                                    [m.name for m in self.region.municipalities])
        return found

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
        """Public and school holidays of ``year`` from the region plugins (cached).

        ``year`` must be an ``int`` (a :class:`TypeError` names the argument otherwise).
        """
        check_type("closed_days", "year", year, int)
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

        A value the network does not know (a misspelt topic, municipality, target group,
        actor, or a language no record names) raises
        :class:`~ki_network.errors.UnknownValueError` with a "did you mean" instead of
        giving an empty list; a value of the wrong type raises :class:`TypeError`.
        """
        given = {"topic": topic, "municipality": municipality, "target_group": target_group,
                 "language": language, "provider": provider, "actor": actor}
        for name, value in given.items():
            check_type("offers_where", name, value, str, optional=True)
        if topic is not None:
            self.check_known("topic", topic)
        if target_group is not None:
            self.check_known("target_group", target_group)
        if language is not None:
            self.check_known("language", language)
        for name in ("provider", "actor"):
            if given[name] is not None:
                self.check_known(name, str(given[name]))
        criteria = {"topic": topic, "target_group": target_group, "language": language,
                    "provider": provider, "actor": actor,
                    "municipality": self.municipality(municipality).ags
                    if municipality is not None else None}
        selected: set[str] | None = None
        for key, value in criteria.items():
            if value is None:
                continue
            ids = self._offer_index[key].get(value, set())
            selected = set(ids) if selected is None else selected & ids
        if selected is None:
            return list(self.offers.values())
        return [offer for offer_id, offer in self.offers.items() if offer_id in selected]

    def check_known(self, kind: str, value: str) -> None:
        """Raise :class:`~ki_network.errors.UnknownValueError` unless the network knows
        ``value`` as a ``kind``: ``topic``, ``target_group``, ``language`` (named by some
        record), ``actor``/``provider``, ``municipality``, ``offer`` or ``event``.

        Every query and filter of the library checks its arguments through here, so the
        messages are those of the command line.
        """
        choices: Iterable[str]
        if kind == "municipality":
            self.municipality(value)
            return
        if kind == "topic":
            choices = self.topics
        elif kind == "target_group":
            choices = self.target_groups
        elif kind == "language":
            choices = self._languages
        elif kind in ("actor", "provider"):
            choices = self.actors
        elif kind == "offer":
            choices = self.offers
        elif kind == "event":
            choices = self.events
        else:
            raise ValueError(f"cannot check values of kind {kind!r}")
        if value not in choices:
            raise UnknownValueError(kind, value, choices,
                                    what="actor" if kind == "provider" else None)

    @cached_property
    def _languages(self) -> set[str]:
        languages = {language for item in self.items() for language in item.languages}
        languages.update(language for actor in self.actors.values()
                         for language in actor.languages)
        return languages

    @cached_property
    def _actors_by_municipality(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = defaultdict(list)
        for actor in self.actors.values():
            for ags in actor.municipalities:
                index[ags].append(actor.id)
        return index

    def actors_serving(self, municipality: str) -> list[Actor]:
        """Actors whose area includes ``municipality`` (name or AGS; an unknown one raises
        :class:`~ki_network.errors.UnknownValueError`)."""
        check_type("actors_serving", "municipality", municipality, str)
        ids = self._actors_by_municipality.get(self.municipality(municipality).ags, [])
        return [self.actors[a] for a in ids]

    def partners_of(self, actor_id: str) -> set[str]:
        """Ids of the actors tied to ``actor_id`` by any relation, in either direction.

        An unknown ``actor_id`` raises :class:`~ki_network.errors.UnknownValueError`.
        """
        check_type("partners_of", "actor_id", actor_id, str)
        self.check_known("actor", actor_id)
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
        restricted than the audience is removed.  Every public output goes through here
        (see :func:`restricted`).

        The copy remembers its audience (:attr:`audience`).  A network already restricted to
        ``audience`` or to a narrower one is returned as it is: restricting is never done
        twice, and never widens what a copy holds.

        >>> from ki_network.testing import tiny_network
        >>> net = tiny_network()
        >>> len(net.for_audience("public").offers)
        1
        """
        audience = audience_of(audience)
        if self.audience.rank <= audience.rank:
            return self

        def visible(visibility: Visibility) -> bool:
            return visibility.visible_to(audience)

        def contact(c: Contact, item_visibility: Visibility) -> Contact:
            return c if visible(c.visibility or item_visibility) else Contact()

        built = Built(decisions=list(self.decisions), origins=dict(self.origins))
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
        built.relations = [
            r for r in self.relations
            if visible(r.visibility) and r.source in built.actors and r.target in built.actors]
        restricted = Network(self.config, self.region, self.topics.values(),
                             self.target_groups.values(), built, self.hooks, self.directory)
        restricted.record_files = dict(self.record_files)
        restricted.audience = audience
        return restricted


def audience_of(audience: Visibility | str) -> Visibility:
    """``audience`` as a :class:`~ki_network.Visibility`; a misspelt one raises
    :class:`~ki_network.errors.UnknownValueError` with a "did you mean".

    >>> audience_of("partners")
    <Visibility.PARTNERS: 'partners'>
    """
    if isinstance(audience, Visibility):
        return audience
    check_type("audience_of", "audience", audience, str)
    try:
        return Visibility(audience)
    except ValueError:
        raise UnknownValueError("audience", audience, [v.value for v in Visibility]) from None


def restricted(network: Network, audience: Visibility | str = Visibility.PUBLIC) -> Network:
    """What every output of the library renders: ``network`` as ``audience`` may see it.

    Each function whose result can leave the KI — calendar bytes, the report, exporter
    output, graph files, finding texts and duplicate reasons — takes an ``audience`` that
    defaults to ``"public"`` and calls this first, so the default is always safe and
    ``audience="internal"`` is the explicit way to see everything.  An already restricted
    network stays as it is (:meth:`Network.for_audience`), so passing
    ``audience=network.audience`` keeps a view's audience.

    >>> from ki_network.testing import tiny_network
    >>> net = tiny_network()
    >>> restricted(net).audience, restricted(net, "internal") is net
    (<Visibility.PUBLIC: 'public'>, True)
    """
    return network.for_audience(audience)
