"""From raw records to model objects: every field checked, every problem collected.

The builder never stops at the first problem.  Each problem names the file, line and column
of the offending value; references to actors, municipalities and topics that do not exist come
with a "did you mean".  Fields the builder does not know are kept in ``extra``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date

import attrs

from ...errors import Origin, Problem
from ...model import (
    Actor,
    ActorKind,
    Decision,
    Event,
    EventStatus,
    Offer,
    Relation,
    RelationKind,
    Schedule,
    TargetGroup,
    Text,
    Topic,
    Visibility,
)
from ...region import Region, did_you_mean
from ..config import NetworkConfig
from ..records import RecordSet
from .fields import _PLAIN_RELATION, _RELATION_KINDS, _SCHEDULE_KEYS, _Fields


@attrs.define
class Built:
    """The model objects made from a record set, with where each came from."""

    actors: dict[str, Actor] = attrs.field(factory=dict)
    offers: dict[str, Offer] = attrs.field(factory=dict)
    events: dict[str, Event] = attrs.field(factory=dict)
    relations: list[Relation] = attrs.field(factory=list)
    decisions: list[Decision] = attrs.field(factory=list)
    origins: dict[str, Origin] = attrs.field(factory=dict)


#: ``progress(done, total)``: told how many records are built, for a progress bar.
Progress = Callable[[int, int], None]


_PROGRESS_EVERY = 5000


class Builder:
    """Builds and cross-checks the model objects of one network."""

    def __init__(self, config: NetworkConfig, region: Region, topics: Iterable[Topic],
                 target_groups: Iterable[TargetGroup], aliases: Mapping[str, str]) -> None:
        self.config = config
        self.region = region
        self.topics = {t.id: t for t in topics}
        self.target_groups = {g.id: g for g in target_groups}
        self.aliases = {label.casefold(): topic for label, topic in aliases.items()}
        self.problems: list[Problem] = []
        self.built = Built()
        self._seen_ids: dict[str, Origin] = {}
        self._resolved: dict[str, str] = {}  # municipality reference -> AGS
        self.sub_daily = _sub_daily(config, self.problems)

    def build(self, records: RecordSet, progress: Progress | None = None
              ) -> tuple[Built, list[Problem]]:
        """Build every record; ``progress(done, total)`` is called now and then if given."""
        self.problems.extend(records.problems)
        steps: list[tuple[str, Callable[[_Fields], None]]] = [
            ("actors", self._actor), ("offers", self._offer), ("events", self._event),
            ("relations", self._relation), ("decisions", self._decision)]
        total, done = len(records), 0
        for kind, step in steps:
            known = _KNOWN[kind]
            for record in records.records[kind]:
                step(_Fields(record, self.problems, known, sub_daily=self.sub_daily))
                done += 1
                if progress is not None and done % _PROGRESS_EVERY == 0:
                    progress(done, total)
        if progress is not None:
            progress(total, total)
        return self.built, self.problems

    # -- shared checks -----------------------------------------------------------------------

    def _claim_id(self, fields: _Fields, kind: str) -> str | None:
        ident = fields.identifier()
        if ident is None:
            return None
        if ident in self._seen_ids:
            fields.problem("id", f"duplicate id {ident!r} (first used at {self._seen_ids[ident]})")
            return None
        self._seen_ids[ident] = fields.record.origin_of("id")
        self.built.origins[ident] = fields.record.origin
        return ident

    def _actor_refs(self, fields: _Fields, key: str, *, required: bool = False) -> tuple[str, ...]:
        value = fields.record.get(key)
        if type(value) is str and value in self.built.actors:  # the common case, quickly
            return (value,)
        refs = fields.strings(key)
        if required and not refs:
            fields.problem(None, f"missing field '{key}'")
        for ref in refs:
            if ref not in self.built.actors:
                fields.problem(key, f"unknown actor {ref!r}"
                                    + did_you_mean(ref, self.built.actors))
        return refs

    def _municipality(self, fields: _Fields, key: str, ref: str) -> str | None:
        known = self._resolved.get(ref)
        if known is not None:
            return known
        found = self.region.resolve(ref)
        if found is not None:
            self._resolved[ref] = found.ags  # a few hundred names, used by every record
            return found.ags
        if self.region.municipalities:
            where = f"region {self.region.name!r}"
            hint = did_you_mean(ref, [m.name for m in self.region.municipalities])
        else:
            where = "any region"
            hint = " (without a region, name municipalities by their 8-digit AGS code)"
        fields.problem(key, f"unknown municipality {ref!r} in {where}{hint}")
        return None

    def _municipalities(self, fields: _Fields, key: str) -> tuple[str, ...]:
        found = (self._municipality(fields, key, ref) for ref in fields.strings(key))
        return tuple(ags for ags in found if ags is not None)

    def _topic(self, fields: _Fields, key: str = "topic") -> str | None:
        value = fields.string(key)
        if value is None or value in self.topics:
            return value
        alias = self.aliases.get(value.casefold())
        if alias in self.topics:
            return alias
        fields.problem(key, f"unknown topic {value!r}" + did_you_mean(value, self.topics))
        return None

    def _topics(self, fields: _Fields, key: str) -> tuple[str, ...]:
        result = []
        for value in fields.strings(key):
            topic = value if value in self.topics else self.aliases.get(value.casefold())
            if topic in self.topics:
                result.append(topic)
            else:
                fields.problem(key, f"unknown topic {value!r}" + did_you_mean(value, self.topics))
        return tuple(result)

    def _target_groups(self, fields: _Fields) -> tuple[str, ...]:
        groups = fields.strings("target_groups")
        for group in groups:
            if group not in self.target_groups:
                fields.problem("target_groups", f"unknown target group {group!r}"
                                                + did_you_mean(group, self.target_groups))
        return groups

    # -- one builder per kind ----------------------------------------------------------------

    def _actor(self, f: _Fields) -> None:
        ident = self._claim_id(f, "actor")
        name = f.string("name", required=True)
        actor = Actor(
            id=ident or "", name=name or "",
            kind=f.choice("kind", ActorKind, ActorKind.OTHER),
            municipalities=self._municipalities(f, "municipalities"),
            address=f.string("address"), languages=f.languages(),
            topics=self._topics(f, "topics"), contact=f.contact(),
            visibility=f.choice("visibility", Visibility, Visibility.PUBLIC),
            calendar=f.string("calendar"), description=f.text("description"), geo=f.geo(),
            extra=f.extra())
        if ident and name:
            self.built.actors[ident] = actor

    def _offer(self, f: _Fields) -> None:
        ident = self._claim_id(f, "offer")
        title = f.text("title", required=True)
        provider = self._actor_refs(f, "provider", required=True)
        municipality = f.string("municipality")
        raw_schedule = f.record.get("schedule") or []
        if isinstance(raw_schedule, Mapping):
            raw_schedule = [raw_schedule]
        if not isinstance(raw_schedule, list):
            f.problem("schedule", "'schedule' must be a list of entries with start and end")
            raw_schedule = []
        schedule = [f.schedule("schedule", entry) for entry in raw_schedule]
        valid_from, valid_to = f.day("valid_from"), f.day("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            f.problem("valid_to", f"valid_to {valid_to} is before valid_from {valid_from}")
        offer = Offer(
            id=ident or "", title=title or Text.of(""), provider=provider[0] if provider else "",
            partners=self._actor_refs(f, "partners"), topic=self._topic(f),
            target_groups=self._target_groups(f), languages=f.languages(),
            municipality=self._municipality(f, "municipality", municipality)
            if municipality else None,
            location=f.string("location"), geo=f.geo(),
            schedule=tuple(s for s in schedule if s is not None),
            valid_from=valid_from, valid_to=valid_to,
            visibility=f.choice("visibility", Visibility, Visibility.PUBLIC),
            contact=f.contact(), url=f.link("url"), programme=f.string("programme"),
            description=f.text("description"), extra=f.extra())
        if len(provider) > 1:
            f.problem("provider", "an offer has one provider; name the others as 'partners'")
        if ident and title and provider:
            self.built.offers[ident] = offer

    def _event(self, f: _Fields) -> None:
        ident = self._claim_id(f, "event")
        title = f.text("title", required=True)
        organisers = self._actor_refs(f, "organisers", required=True)
        schedule_fields = {k: f.record[k] for k in _SCHEDULE_KEYS if k in f.record}
        schedule = f.schedule("start", schedule_fields, f.record) if schedule_fields else None
        if not schedule_fields:
            f.problem(None, "missing field 'start'")
        municipality = f.string("municipality")
        event = Event(
            id=ident or "", title=title or Text.of(""), organisers=organisers,
            schedule=schedule or Schedule(date.min), topic=self._topic(f),
            target_groups=self._target_groups(f), languages=f.languages(),
            municipality=self._municipality(f, "municipality", municipality)
            if municipality else None,
            location=f.string("location"), geo=f.geo(),
            status=f.choice("status", EventStatus, EventStatus.CONFIRMED),
            visibility=f.choice("visibility", Visibility, Visibility.PUBLIC),
            contact=f.contact(), url=f.link("url"), description=f.text("description"),
            uid=f.string("uid"),
            recurrence_id=f.time("recurrence_id", f.record["recurrence_id"])
            if f.record.get("recurrence_id") is not None else None,
            this_and_future=f.record.get("this_and_future") is True, extra=f.extra())
        if ident and title and organisers and schedule:
            self.built.events[ident] = event

    def _relation(self, f: _Fields) -> None:
        record = f.record
        if record.keys() <= _PLAIN_RELATION:
            # Most relations are just two known actors, a kind and maybe a programme: built
            # at once (there may be hundreds of thousands); anything else is checked below.
            source, target = record.get("source"), record.get("target")
            kind = record.get("kind")
            member = _RELATION_KINDS.get(kind) if type(kind) is str else None
            programme = record.get("programme")
            actors = self.built.actors
            if (member is not None and type(source) is str and type(target) is str
                    and source != target and source in actors and target in actors
                    and (programme is None or (type(programme) is str and programme))):
                self.built.relations.append(Relation(source, target, member, programme))
                return
        source = self._actor_refs(f, "source", required=True)
        target = self._actor_refs(f, "target", required=True)
        kind = f.record.get("kind")
        if kind is None:
            f.problem(None, "missing field 'kind'")
        relation_kind = f.choice("kind", RelationKind, RelationKind.COOPERATES)
        if source and target and source[0] == target[0]:
            f.problem("target", f"a relation of {source[0]!r} to itself")
        self.built.relations.append(Relation(
            source=source[0] if source else "", target=target[0] if target else "",
            kind=relation_kind, programme=f.string("programme"), since=f.day("since"),
            note=f.string("note"), visibility=f.choice("visibility", Visibility, Visibility.PUBLIC),
            extra=f.extra()))

    def _decision(self, f: _Fields) -> None:
        a, b = f.string("a", required=True), f.string("b", required=True)
        verdict = f.string("verdict", required=True)
        if verdict is not None and verdict not in ("same", "distinct"):
            f.problem("verdict", f"invalid verdict {verdict!r}; expected 'same' or 'distinct'")
        for key, ref in (("a", a), ("b", b)):
            if ref is not None and ref not in self.built.offers and ref not in self.built.events:
                known = [*self.built.offers, *self.built.events]
                f.problem(key, f"unknown offer {ref!r}" + did_you_mean(ref, known))
        if a and b and verdict:
            self.built.decisions.append(Decision(a, b, verdict, f.string("note"), f.string("by"),
                                                 f.day("on"), f.extra()))


def _sub_daily(config: NetworkConfig, problems: list[Problem]) -> bool:
    """``recurrence: {sub_daily: true}`` in ``network.yaml``: rules finer than daily allowed."""
    setting = config.extra.get("recurrence")
    if setting is None:
        return False
    if not isinstance(setting, Mapping) or not isinstance(setting.get("sub_daily", False), bool):
        problems.append(Problem(config.origin_of("recurrence"),
                                "'recurrence' must be a mapping like {sub_daily: true}"))
        return False
    return bool(setting.get("sub_daily", False))


_KNOWN: dict[str, frozenset[str]] = {
    "actors": frozenset({f.name for f in attrs.fields(Actor)} - {"extra"}),
    "offers": frozenset({f.name for f in attrs.fields(Offer)} - {"extra"}),
    "events": frozenset(({f.name for f in attrs.fields(Event)} - {"extra", "schedule"})
                        | _SCHEDULE_KEYS),
    "relations": frozenset({f.name for f in attrs.fields(Relation)} - {"extra"}),
    "decisions": frozenset({f.name for f in attrs.fields(Decision)} - {"extra"}),
}
