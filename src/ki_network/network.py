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
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs
import networkx as nx

from .datadir.build import Builder, Built
from .datadir.config import NetworkConfig
from .datadir.records import KINDS, RecordSet
from .datadir.serialize import record_key, to_record
from .datadir.yamlio import Record
from .errors import DataError, Origin, Problem, UnknownValueError, check_type
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

#: what :meth:`Network.add` and :meth:`Network.replace` take: a model object, or a record
#: (a mapping with the fields of a data file) with its kind
Item = Actor | Offer | Event | Relation | Decision

_KIND_OF: dict[type, str] = {Actor: "actors", Offer: "offers", Event: "events",
                             Relation: "relations", Decision: "decisions"}


class Network:
    """Actors, offers, events and relations of one network, read-only after loading.

    Build it with :func:`ki_network.load`.  Indexes are made on first use, which is safe
    because nothing can change what they index: the mappings (``actors``, ``offers``, ...)
    are read-only views, the lists (``relations``, ``decisions``) tuples and the model
    objects frozen.  A changed network is a new ``Network``.
    """

    def __init__(self, config: NetworkConfig, region: Region, topics: Iterable[Topic],  # noqa: PLR0917
                 target_groups: Iterable[TargetGroup], built: Built, hooks: Hooks,
                 directory: Path | None = None, *,
                 record_files: Mapping[str, Path] | None = None,
                 audience: Visibility = Visibility.INTERNAL) -> None:
        self.config = config
        self.region = region
        # Views over the builder's dicts, not copies: a copy of 100,000 offers costs time,
        # and the builder hands its dicts over and keeps no reference.
        self.topics: Mapping[str, Topic] = MappingProxyType({t.id: t for t in topics})
        self.target_groups: Mapping[str, TargetGroup] = MappingProxyType(
            {g.id: g for g in target_groups})
        self.actors: Mapping[str, Actor] = MappingProxyType(built.actors)
        self.offers: Mapping[str, Offer] = MappingProxyType(built.offers)
        self.events: Mapping[str, Event] = MappingProxyType(built.events)
        self.relations: tuple[Relation, ...] = tuple(built.relations)
        self.decisions: tuple[Decision, ...] = tuple(built.decisions)
        self.origins: Mapping[str, Origin] = MappingProxyType(built.origins)
        self.hooks = hooks
        self.directory = directory
        #: kind -> the file it was read from
        self.record_files: Mapping[str, Path] = MappingProxyType(dict(record_files or {}))
        #: what this copy may show; see for_audience()
        self.audience = audience
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

    # -- editing -----------------------------------------------------------------------------

    def add(self, item: Item | Mapping[str, Any], *, kind: str | None = None) -> Network:
        """A new network with ``item`` added; this one is not changed.

        ``item`` is a model object (``Offer(...)``, ``attrs.evolve(an_offer, id=...)``) or a
        record as it would stand in a data file, with ``kind`` (``"offers"`` ...).  It is
        checked like a loaded record — municipality names become AGS codes, local labels
        become topics, every reference must exist — and any problem raises
        :class:`~ki_network.DataError` listing every problem, in the messages of loading.
        """
        return self.edit(add=[(item, kind)])

    def replace(self, item: Item | Mapping[str, Any], *, kind: str | None = None) -> Network:
        """A new network with the actor, offer or event of ``item``'s id replaced by ``item``
        (checked as in :meth:`add`); an unknown id raises
        :class:`~ki_network.errors.UnknownValueError`."""
        return self.edit(replace=[(item, kind)])

    def remove(self, item: str | Relation | Decision) -> Network:
        """A new network without the actor, offer or event with id ``item`` (or without the
        relation or decision given).

        Removing an actor that offers, events or relations still name is refused with a
        :class:`~ki_network.DataError` listing each of them: remove or change those first
        (or in the same :meth:`edit`).
        """
        return self.edit(remove=[item])

    def edit(self, *, add: Iterable[tuple[Item | Mapping[str, Any], str | None] | Item] = (),
             replace: Iterable[tuple[Item | Mapping[str, Any], str | None] | Item] = (),
             remove: Iterable[str | Relation | Decision] = ()) -> Network:
        """Several changes at once, checked together; returns the new network.

        ``add`` and ``replace`` take model objects or ``(record, kind)`` pairs.  The model
        objects are frozen values shared between networks (:meth:`for_audience` copies share
        them too), so an edit never changes a network in place: indexes, the graph and every
        view made of the old network (a :class:`~ki_network.duplicates.DuplicateIndex`, a
        restricted copy) stay right, and the new network is built and checked by the same
        builder that loading uses.  Save it with :func:`ki_network.save`.
        """
        if self.audience is not Visibility.INTERNAL:
            raise ValueError(f"this network is restricted to {self.audience.value!r}; edit the "
                             "full network (an edit of a restricted copy would drop the rest)")
        records = {kind: self._records(kind) for kind in KINDS}
        new: list[tuple[str, Record]] = []
        for entry, replacing in [*((x, False) for x in add), *((x, True) for x in replace)]:
            kind, record = self._as_record(entry)
            key = record_key(kind, record)
            existing = [i for i, r in enumerate(records[kind]) if record_key(kind, r) == key]
            if replacing:
                if not existing:
                    raise UnknownValueError("item", key, [record_key(kind, r)
                                                          for r in records[kind]],
                                            what=kind.removesuffix("s"))
                records[kind][existing[0]] = record
            else:
                records[kind].append(record)
            new.append((kind, record))
        for target in remove:
            self._remove_from(records, target)
        for kind, record in new:
            self.hooks.normalize_record(kind, record, self.config)
        return self._rebuilt(records)

    def _file_of(self, kind: str) -> str:
        path = self.record_files.get(kind)
        if path is None:
            path = (self.directory or Path()) / f"{kind}.yaml"
        return str(path)

    def _records(self, kind: str) -> list[Record]:
        source: Iterable[Any] = {
            "actors": self.actors.values(), "offers": self.offers.values(),
            "events": self.events.values(), "relations": self.relations,
            "decisions": self.decisions}[kind]
        fallback = Origin(self._file_of(kind))
        return [Record(to_record(obj, self),
                       origin=self.origins.get(getattr(obj, "id", ""), fallback))
                for obj in source]

    def _as_record(self, entry: Any) -> tuple[str, Record]:
        if isinstance(entry, tuple):
            item, kind = entry
        else:
            item, kind = entry, None
        if isinstance(item, Actor | Offer | Event | Relation | Decision):
            kind = kind or _KIND_OF[type(item)]
            return kind, Record(to_record(item, self), origin=Origin(self._file_of(kind)))
        if not isinstance(item, Mapping):
            raise TypeError(f"edit(): expected an Actor, Offer, Event, Relation, Decision or a "
                            f"record mapping, not {type(item).__name__}")
        if kind is None or kind not in KINDS:
            raise UnknownValueError("kind", kind, KINDS, what="kind of record")
        return kind, Record(dict(item), origin=Origin(self._file_of(kind)))

    def _remove_from(self, records: dict[str, list[Record]], target: Any) -> None:
        if isinstance(target, Relation | Decision):
            kind = _KIND_OF[type(target)]
            key = record_key(kind, to_record(target, self))
        else:
            check_type("remove", "item", target, str, Relation, Decision)
            kind = next((k for k, d in (("actors", self.actors), ("offers", self.offers),
                                        ("events", self.events)) if target in d), "")
            if not kind:
                raise UnknownValueError("item", target,
                                        [*self.actors, *self.offers, *self.events],
                                        what="actor, offer or event")
            key = target
        kept = [r for r in records[kind] if record_key(kind, r) != key]
        if len(kept) == len(records[kind]):
            raise UnknownValueError("item", key, [record_key(kind, r) for r in records[kind]],
                                    what=kind.removesuffix("s"))
        records[kind] = kept

    def _rebuilt(self, records: dict[str, list[Record]]) -> Network:
        problems = self._dangling(records)
        if problems:
            raise DataError(problems)
        record_set = RecordSet()
        for kind in KINDS:
            record_set.records[kind] = records[kind]
        builder = Builder(self.config, self.region, self.topics.values(),
                          self.target_groups.values(), self.hooks.label_aliases(self.config.region))
        built, problems = builder.build(record_set)
        if problems:
            raise DataError(problems)
        network = Network(self.config, self.region, self.topics.values(),
                          self.target_groups.values(), built, self.hooks, self.directory,
                          record_files=self.record_files)
        self.hooks.loaded(network)
        return network

    def _dangling(self, records: dict[str, list[Record]]) -> list[Problem]:
        """Records that still name an actor this edit removes (the builder reports other
        unknown actors, with a "did you mean")."""
        removed = set(self.actors) - {r.get("id") for r in records["actors"]}
        if not removed:
            return []
        problems = []
        for kind, fields in (("offers", ("provider", "partners")), ("events", ("organisers",)),
                             ("relations", ("source", "target"))):
            for record in records[kind]:
                for key in fields:
                    value = record.get(key)
                    for ref in value if isinstance(value, list | tuple) else [value]:
                        if ref in removed:
                            what = record.get("id") or record_key(kind, record)
                            problems.append(Problem(
                                record.origin_of(key),
                                f"{kind.removesuffix('s')} {what!r} still names actor "
                                f"{ref!r} ({key}): remove or change it first"))
        return problems

    # -- audiences ---------------------------------------------------------------------------

    def for_audience(self, audience: Visibility | str) -> Network:
        """A copy holding only what ``audience`` may see.

        Items, actors and relations with a more restricted visibility are left out, relations
        and offers are dropped when an actor they need is hidden, and contact data more
        restricted than the audience is removed.  Duplicate decisions are kept only where the
        copy shows both items, and without ``note``, ``by`` and unknown fields.  Every public
        output goes through here (see :func:`restricted`).

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
        return Network(self.config, self.region, self.topics.values(),
                       self.target_groups.values(), built, self.hooks, self.directory,
                       record_files=self.record_files, audience=audience)


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
