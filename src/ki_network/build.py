"""From raw records to model objects: every field checked, every problem collected.

The builder never stops at the first problem.  Each problem names the file, line and column
of the offending value; references to actors, municipalities and topics that do not exist come
with a "did you mean".  Fields the builder does not know are kept in ``extra``.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

import attrs
from dateutil.rrule import rrulestr

from .config import NetworkConfig
from .errors import Origin, Problem
from .model import (
    Actor,
    ActorKind,
    Contact,
    DateOrDateTime,
    Event,
    EventStatus,
    GeoPoint,
    Offer,
    Relation,
    RelationKind,
    Schedule,
    TargetGroup,
    Text,
    Topic,
    Visibility,
)
from .records import RecordSet
from .region import Region, did_you_mean
from .yamlio import Record

E = TypeVar("E", bound=enum.Enum)

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}$")

_SCHEDULE_KEYS = frozenset({"start", "end", "rrule", "until", "exdates", "rdates"})
_PLAIN_RELATION = frozenset({"source", "target", "kind", "programme"})
_RELATION_KINDS = {kind.value: kind for kind in RelationKind}
_CONTACT_KEYS = frozenset({"email", "phone", "website", "person"})


@attrs.frozen
class Decision:
    """A person's verdict on a duplicate candidate: ``same`` or ``distinct``."""

    a: str
    b: str
    verdict: str
    note: str | None = None
    by: str | None = None
    on: date | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.define
class Built:
    """The model objects made from a record set, with where each came from."""

    actors: dict[str, Actor] = attrs.field(factory=dict)
    offers: dict[str, Offer] = attrs.field(factory=dict)
    events: dict[str, Event] = attrs.field(factory=dict)
    relations: list[Relation] = attrs.field(factory=list)
    decisions: list[Decision] = attrs.field(factory=list)
    origins: dict[str, Origin] = attrs.field(factory=dict)


class _Fields:
    """Reads the fields of one record, reporting problems at the field's position."""

    def __init__(self, record: Record, problems: list[Problem], known: frozenset[str] | set[str]):
        self.record = record
        self.problems = problems
        self.known = known

    def problem(self, key: str | None, message: str) -> None:
        origin = self.record.origin if key is None else self.record.origin_of(key)
        self.problems.append(Problem(origin, message))

    # The common case (a non-empty text, a list of texts, a known enum value) returns at the
    # first test: at 300,000 records per network every test per field shows in the load time.

    def extra(self) -> dict[str, Any]:
        if self.record.keys() <= self.known:
            return {}
        return {k: v for k, v in self.record.items() if k not in self.known}

    def string(self, key: str, *, required: bool = False) -> str | None:
        value = self.record.get(key)
        if type(value) is str and value:
            return value
        if value is None or value == "":
            if required:
                self.problem(None, f"missing field '{key}'")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(key, f"'{key}' must be a text, not {_kind(value)}")
            return None
        return str(value)

    def identifier(self, key: str = "id") -> str | None:
        value = self.string(key, required=True)
        if value is not None and not ID_PATTERN.match(value):
            self.problem(key, f"'{key}' {value!r} must be a lower-case slug "
                              "(letters, digits, '-', '_', '.')")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.record.get(key)
        if value is None:
            return ()
        if type(value) is list:
            for item in value:
                if type(item) is not str:
                    break
            else:
                return tuple(value)
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            self.problem(key, f"'{key}' must be a list of texts")
            return ()
        return tuple(str(v) for v in value)

    def languages(self, key: str = "languages") -> tuple[str, ...]:
        values = self.strings(key)
        if all(map(LANGUAGE_PATTERN.match, values)):
            return values
        for value in values:
            if not LANGUAGE_PATTERN.match(value):
                self.problem(key, f"language {value!r} is not an ISO 639 code like 'de' or 'ar'")
        return tuple(v for v in values if LANGUAGE_PATTERN.match(v))

    def choice(self, key: str, enum_type: type[E], default: E) -> E:
        value = self.record.get(key)
        if value is None:
            return default
        member = enum_type._value2member_map_.get(value) if type(value) is str else None
        if member is not None:
            return member  # type: ignore[return-value]
        try:
            return enum_type(value)
        except ValueError:
            allowed = [str(m.value) for m in enum_type]
            self.problem(key, f"invalid {key} {value!r}; expected one of {', '.join(allowed)}"
                              + did_you_mean(str(value), allowed))
            return default

    def text(self, key: str, *, required: bool = False) -> Text | None:
        value = self.record.get(key)
        if value is None or value == "":
            if required:
                self.problem(None, f"missing field '{key}'")
            return None
        if type(value) is str:
            return Text((("", value),))
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return Text.of(str(value))
        if isinstance(value, Mapping) and value and all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            return Text.of(value)
        self.problem(key, f"'{key}' must be a text or a mapping of language to text")
        return None

    def day(self, key: str, value: Any = None) -> date | None:
        value = self.record.get(key) if value is None else value
        if value is None:
            return None
        parsed = parse_time(value)
        if parsed is None or isinstance(parsed, datetime):
            self.problem(key, f"'{key}' {value!s} is not a date like 2026-01-31")
            return None
        return parsed

    def time(self, key: str, value: Any, at: Origin | None = None) -> DateOrDateTime | None:
        """``value`` as a date or date-time; a problem at ``at`` (default: ``key``) if not."""
        parsed = parse_time(value)
        if parsed is None:
            self.problems.append(Problem(at or self.record.origin_of(key),
                                         _not_a_time(key, value)))
        return parsed

    def contact(self, key: str = "contact") -> Contact:
        value = self.record.get(key)
        if value is None:
            return Contact()
        if not isinstance(value, Mapping):
            self.problem(key, "'contact' must be a mapping with email, phone, website, person")
            return Contact()
        fields = {k: str(value[k]) for k in _CONTACT_KEYS if value.get(k) not in (None, "")}
        extra = {k: v for k, v in value.items() if k not in _CONTACT_KEYS | {"visibility"}}
        visibility = None
        if value.get("visibility") is not None:
            try:
                visibility = Visibility(value["visibility"])
            except ValueError:
                self.problem(key, f"invalid contact visibility {value['visibility']!r}; "
                                  "expected one of public, partners, internal")
        return Contact(**fields, visibility=visibility, extra=extra)

    def geo(self, key: str = "geo") -> GeoPoint | None:
        value = self.record.get(key)
        if value is None:
            return None
        try:
            lat, lon = float(value["lat"]), float(value["lon"])
        except (TypeError, KeyError, ValueError):
            self.problem(key, "'geo' must be a mapping {lat: 51.03, lon: 7.56}")
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.problem(key, f"'geo' {lat}, {lon} is not on Earth")
            return None
        return GeoPoint(lat, lon)

    def schedule(self, key: str, entry: Any, positions: Record | None = None
                 ) -> Schedule | None:
        """One schedule entry: a mapping with start, end, rrule, until, exdates, rdates.

        A problem points at the entry's own field (``end``, ``rrule`` ...) where ``positions``
        (the mapping the fields were read from; default: the entry) knows its place, else at
        ``key`` of the record.  (Positions are looked up only for problems: this runs for
        every offer.)
        """
        if not isinstance(entry, Mapping):
            self.problem(key, f"'{key}' entries must be mappings with start and end")
            return None
        if positions is None and isinstance(entry, Record):
            positions = entry
        where = positions.key_origins if positions is not None else {}
        raw_start = entry.get("start")
        if raw_start is None:
            self._at(where, key, "start", f"'{key}' needs a 'start'")
            return None
        start = parse_time(raw_start)
        if start is None:
            self._at(where, key, "start", _not_a_time("start", raw_start))
            return None
        raw_end = entry.get("end")
        end = None if raw_end is None else parse_time(raw_end)
        if raw_end is not None and end is None:
            self._at(where, key, "end", _not_a_time("end", raw_end))
        elif end is not None:
            if isinstance(end, datetime) != isinstance(start, datetime):
                self._at(where, key, "end",
                         "'end' and 'start' must both be dates or both be date-times")
                end = None
            elif _comparable(end) <= _comparable(start):
                self._at(where, key, "end", f"end {_show(end)} is not after start {_show(start)}")
        raw_until = entry.get("until")
        until = None if raw_until is None else parse_time(raw_until)
        if raw_until is not None and until is None:
            self._at(where, key, "until", _not_a_time("until", raw_until))
        rrule = entry.get("rrule")
        if rrule is not None:
            rrule = str(rrule).removeprefix("RRULE:")
            if until is not None and "UNTIL=" in rrule.upper():
                self._at(where, key, "until", "give the end of a series either as 'until' or "
                                              "inside the rrule, not both")
            error = _rrule_error(rrule)
            if error is not None:
                self._at(where, key, "rrule", f"malformed rrule {rrule!r}: {error}")
            elif not rrule.upper().startswith("FREQ=") and ";FREQ=" not in rrule.upper():
                self._at(where, key, "rrule", f"malformed rrule {rrule!r}: FREQ is missing")
        # ``until`` is inclusive: a date until means "through that day", so compare days then.
        if until is not None and (
                until < _day_of(start) if not isinstance(until, datetime)
                else _comparable(until) < _comparable(start)):
            self._at(where, key, "until", f"until {_show(until)} is before start {_show(start)}")
        exdates: tuple[DateOrDateTime, ...] = ()
        rdates: tuple[DateOrDateTime, ...] = ()
        if entry.get("exdates") is not None:
            exdates = self._times("exdates", entry["exdates"],
                                  where.get("exdates") or self.record.origin_of(key))
        if entry.get("rdates") is not None:
            rdates = self._times("rdates", entry["rdates"],
                                 where.get("rdates") or self.record.origin_of(key))
        extra = ({} if entry.keys() <= _SCHEDULE_KEYS
                 else {k: v for k, v in entry.items() if k not in _SCHEDULE_KEYS})
        return Schedule(start, end, rrule, until, exdates, rdates, extra)

    def _at(self, where: Mapping[str, Origin], key: str, field: str, message: str) -> None:
        """A problem at ``field`` of a schedule entry, else at ``key`` of the record."""
        self.problems.append(Problem(where.get(field) or self.record.origin_of(key), message))

    def _times(self, key: str, values: Any, at: Origin) -> tuple[DateOrDateTime, ...]:
        if values is None:
            return ()
        if not isinstance(values, list):
            values = [values]
        parsed = [self.time(key, v, at) for v in values]
        if any(p is None for p in parsed):
            return ()
        return tuple(p for p in parsed if p is not None)


@functools.lru_cache(maxsize=4096)
def _rrule_error(rrule: str) -> str | None:
    """Why ``rrule`` does not parse, or ``None``.

    Whether a rule parses does not depend on its start (naive, time zones ignored), so the
    answer is cached per text: a large network repeats a few dozen rules many thousand times,
    and parsing one costs dateutil about 30 µs.
    """
    try:
        rrulestr(rrule, dtstart=datetime(2000, 1, 1), ignoretz=True)
    except (ValueError, TypeError) as exc:
        return str(exc)
    return None


def _not_a_time(key: str, value: Any) -> str:
    return (f"'{key}' {value!s} is not a date (2026-01-31) or a date and time "
            "(2026-01-31T18:00)")


def _kind(value: Any) -> str:
    return {list: "a list", dict: "a mapping", Record: "a mapping", bool: "true/false"}.get(
        type(value), type(value).__name__)


def _comparable(value: DateOrDateTime) -> datetime:
    """Wall-clock time without zone, so dates, naive and aware date-times compare."""
    if isinstance(value, datetime):
        return value if value.tzinfo is None else value.replace(tzinfo=None)
    return datetime(value.year, value.month, value.day)


def _day_of(value: DateOrDateTime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _show(value: DateOrDateTime) -> str:
    return value.isoformat(timespec="minutes") if isinstance(value, datetime) else value.isoformat()


def parse_time(value: Any) -> DateOrDateTime | None:
    """A date or date-time from YAML (already parsed) or ISO text; ``None`` if malformed.

    >>> parse_time("2026-01-13T09:30"), parse_time("2026-01-13")
    (datetime.datetime(2026, 1, 13, 9, 30), datetime.date(2026, 1, 13))
    >>> parse_time("13.01.2026") is None
    True
    """
    if isinstance(value, datetime | date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        return None


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
                step(_Fields(record, self.problems, known))
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
            contact=f.contact(), url=f.string("url"), programme=f.string("programme"),
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
            contact=f.contact(), url=f.string("url"), description=f.text("description"),
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


_KNOWN: dict[str, frozenset[str]] = {
    "actors": frozenset({f.name for f in attrs.fields(Actor)} - {"extra"}),
    "offers": frozenset({f.name for f in attrs.fields(Offer)} - {"extra"}),
    "events": frozenset(({f.name for f in attrs.fields(Event)} - {"extra", "schedule"})
                        | _SCHEDULE_KEYS),
    "relations": frozenset({f.name for f in attrs.fields(Relation)} - {"extra"}),
    "decisions": frozenset({f.name for f in attrs.fields(Decision)} - {"extra"}),
}
