"""The model: actors, offers, events, relations and what they are made of.

Pure values (``attrs`` frozen classes), no I/O.  Objects are built from the data directory by
:mod:`ki_network.datadir.build`, which also validates references; turning them back into
records is :mod:`ki_network.datadir.serialize`.  Every object keeps the fields it did not
understand in ``extra``, so nothing a person wrote is lost on the way through.

The values are immutable all the way down: ``extra`` and ``evidence`` are frozen by
:func:`freeze` (read-only mappings, tuples for lists), so every object can be hashed, and
equal objects hash alike.

>>> offer = Offer(id="cafe", title=Text.of({"de": "Sprachcafé", "en": "Language café"}),
...               provider="caritas")
>>> offer.title.get("en"), offer.title.get("fr", fallback=("de",))
('Language café', 'Sprachcafé')
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Set
from datetime import date, datetime
from typing import Any

import attrs
from frozendict import frozendict

Extra = Mapping[str, Any]
DateOrDateTime = date | datetime

#: the empty ``extra``, shared: most records have no unknown fields
EMPTY: frozendict[str, Any] = frozendict()
_SCALARS = (str, int, float, date, type(None))


def freeze(value: Any) -> Any:
    """``value`` as an immutable, hashable value: mappings become read-only mappings
    (:class:`frozendict.frozendict`, a ``dict`` subclass that refuses changes), lists and
    tuples become tuples, sets frozensets, all the way down; other values stay as they are.

    ``frozendict.deepfreeze`` does the same but costs about 20 µs even for an empty
    mapping, which a load of 100,000 offers (three ``extra`` fields each) would notice;
    this spends nothing on the common empty case and on scalars.

    >>> frozen = freeze({"room": {"floor": 2, "doors": ["A", "B"]}})
    >>> frozen["room"]["doors"], hash(frozen) == hash(freeze({"room": {"doors": ("A", "B"),
    ...                                                                 "floor": 2}}))
    (('A', 'B'), True)
    >>> frozen["room"]["floor"] = 3
    Traceback (most recent call last):
    TypeError: 'frozendict' object doesn't support item assignment
    """
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, Mapping):
        if not value:
            return EMPTY
        if all(isinstance(v, _SCALARS) for v in value.values()):
            return value if type(value) is frozendict else frozendict(value)
        return frozendict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple([freeze(v) for v in value])
    if isinstance(value, Set):
        return frozenset(freeze(v) for v in value)
    return value


def _frozen_map(value: Mapping[str, Any]) -> Extra:
    """Converter for ``extra`` and ``evidence``: a read-only, hashable mapping."""
    if not value:  # most records: no unknown fields
        return EMPTY
    frozen: Extra = freeze(value)
    return frozen


class Visibility(enum.StrEnum):
    """Who may see an item. Ordered: public < partners < internal."""

    PUBLIC = "public"
    PARTNERS = "partners"
    INTERNAL = "internal"

    @property
    def rank(self) -> int:
        return _VISIBILITY_RANK[self]

    def visible_to(self, audience: Visibility) -> bool:
        """True if an item with this visibility may be shown to ``audience``.

        >>> Visibility.PARTNERS.visible_to(Visibility.PUBLIC)
        False
        >>> Visibility.PUBLIC.visible_to(Visibility.INTERNAL)
        True
        """
        return self.rank <= audience.rank


_VISIBILITY_RANK = {Visibility.PUBLIC: 0, Visibility.PARTNERS: 1, Visibility.INTERNAL: 2}


class ActorKind(enum.StrEnum):
    ADMINISTRATION = "administration"
    PROVIDER = "provider"
    MIGRANT_ORGANISATION = "migrant_organisation"
    SCHOOL = "school"
    DAYCARE = "daycare"
    EDUCATION_PROVIDER = "education_provider"
    VOLUNTEER_GROUP = "volunteer_group"
    RELIGIOUS_COMMUNITY = "religious_community"
    OTHER = "other"


class RelationKind(enum.StrEnum):
    COOPERATES = "cooperates"
    FUNDS = "funds"
    MEMBER_OF = "member_of"
    REFERS_TO = "refers_to"
    COORDINATES = "coordinates"
    CO_ORGANISES = "co_organises"


class EventStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    TENTATIVE = "tentative"
    CANCELLED = "cancelled"


class Severity(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return ("info", "warning", "error").index(self.value)


def _strs(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _times(values: Iterable[DateOrDateTime]) -> tuple[DateOrDateTime, ...]:
    return tuple(values)


def _schedules(values: Iterable[Schedule]) -> tuple[Schedule, ...]:
    return tuple(values)


def _freeze_text(
    values: Mapping[str, str] | Iterable[tuple[str, str]],
) -> tuple[tuple[str, str], ...]:
    items = values.items() if isinstance(values, Mapping) else values
    return tuple((str(k), str(v)) for k, v in items)


def _same_translations(a: tuple[tuple[str, str], ...], b: tuple[tuple[str, str], ...]) -> bool:
    return dict(a) == dict(b)


@attrs.frozen
class Text:
    """Multilingual text: one plain string, or translations by language code.

    A plain string is stored under the empty language key ``""``.  Two texts are equal when
    they hold the same translations, in whatever order they were written.

    >>> Text.of("Sprachcafé").get("en")
    'Sprachcafé'
    >>> Text.of({"de": "Elterncafé", "tr": "Veli kafesi"}).get("tr")
    'Veli kafesi'
    >>> Text.of({"de": "Café", "tr": "Kafe"}) == Text.of({"tr": "Kafe", "de": "Café"})
    True
    """

    values: tuple[tuple[str, str], ...] = attrs.field(
        converter=_freeze_text, eq=attrs.cmp_using(eq=_same_translations))

    def __hash__(self) -> int:
        # as equality: the translations, in whatever order
        return hash(frozenset(dict(self.values).items()))

    @classmethod
    def of(cls, value: str | Mapping[str, str] | Text) -> Text:
        if isinstance(value, Text):
            return value
        if isinstance(value, str):
            return cls((("", value),))
        return cls(value)

    @property
    def is_plain(self) -> bool:
        return len(self.values) == 1 and self.values[0][0] == ""

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang, _ in self.values if lang)

    def as_dict(self) -> dict[str, str]:
        return dict(self.values)

    def get(self, language: str | None = None, fallback: Iterable[str] = ("de", "en")) -> str:
        """The text in ``language``, else in the first ``fallback`` language present, else any."""
        found = dict(self.values)
        for lang in (language, *fallback, ""):
            if lang is not None and lang in found:
                return found[lang]
        return self.values[0][1] if self.values else ""

    def __str__(self) -> str:
        return self.get()

    def all_text(self) -> str:
        """All translations joined, for searching."""
        return " ".join(text for _, text in self.values)


def to_text(value: str | Mapping[str, str] | Text) -> Text:
    """Converter for text fields: a string or a language mapping becomes :class:`Text`."""
    return Text.of(value)


@attrs.frozen
class Contact:
    """How to reach an actor or an offer.

    ``visibility`` restricts the contact data further than the item it belongs to (a public
    offer whose contact person's phone is for partners only); ``None`` means "as the item".
    """

    email: str | None = None
    phone: str | None = None
    website: str | None = None
    person: str | None = None
    visibility: Visibility | None = None
    extra: Extra = attrs.field(default=EMPTY, converter=_frozen_map)

    def is_empty(self) -> bool:
        return not (self.email or self.phone or self.website or self.person)


@attrs.frozen
class GeoPoint:
    lat: float
    lon: float


@attrs.frozen
class Schedule:
    """When something happens: a first occurrence, optionally repeated by an RRULE.

    ``start``/``end`` are local wall-clock times in the network's time zone (naive
    ``datetime``), aware ``datetime`` when the data carried an offset, or ``date`` for all-day
    items (then ``end`` is exclusive, as in iCalendar).  ``until`` is inclusive.
    """

    start: DateOrDateTime
    end: DateOrDateTime | None = None
    rrule: str | None = None
    until: DateOrDateTime | None = None
    exdates: tuple[DateOrDateTime, ...] = attrs.field(default=(), converter=_times)
    rdates: tuple[DateOrDateTime, ...] = attrs.field(default=(), converter=_times)
    extra: Extra = attrs.field(default=EMPTY, converter=_frozen_map)

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)

    @property
    def recurring(self) -> bool:
        return bool(self.rrule or self.rdates)


@attrs.frozen
class Municipality:
    """A municipality of a region: name and 8-digit AGS (Amtlicher Gemeindeschlüssel)."""

    ags: str
    name: str
    population: int | None = None
    main_languages: tuple[str, ...] = attrs.field(default=(), converter=_strs)


@attrs.frozen
class Topic:
    """A node of the topic taxonomy (e.g. ``language.informal`` under ``language``)."""

    id: str
    label: Text = attrs.field(converter=to_text)
    parent: str | None = None


@attrs.frozen
class TargetGroup:
    id: str
    label: Text = attrs.field(converter=to_text)


@attrs.frozen
class ClosedDay:
    """A day or span when pupils and many families are not available.

    ``kind`` is ``public_holiday`` or ``school_holiday``; ``last`` is inclusive.
    """

    first: date
    last: date
    name: str
    kind: str

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


@attrs.frozen
class Actor:
    """An organisation or office that takes part in the network."""

    id: str
    name: str
    kind: ActorKind = ActorKind.OTHER
    municipalities: tuple[str, ...] = attrs.field(default=(), converter=_strs)  # AGS codes
    address: str | None = None
    languages: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    topics: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    contact: Contact = attrs.field(factory=Contact)
    visibility: Visibility = Visibility.PUBLIC
    calendar: str | None = None
    description: Text | None = None
    geo: GeoPoint | None = None
    extra: Extra = attrs.field(default=EMPTY, converter=_frozen_map)


@attrs.frozen
class Offer:
    """A standing service: a course, counselling hours, a group that meets regularly."""

    id: str
    title: Text = attrs.field(converter=to_text)
    provider: str
    partners: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    topic: str | None = None
    target_groups: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    languages: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    municipality: str | None = None  # AGS code
    location: str | None = None
    geo: GeoPoint | None = None
    schedule: tuple[Schedule, ...] = attrs.field(default=(), converter=_schedules)
    valid_from: date | None = None
    valid_to: date | None = None
    visibility: Visibility = Visibility.PUBLIC
    contact: Contact = attrs.field(factory=Contact)
    url: str | None = None
    programme: str | None = None
    description: Text | None = None
    extra: Extra = attrs.field(default=EMPTY, converter=_frozen_map)

    @property
    def actors(self) -> tuple[str, ...]:
        """The provider and the partners."""
        return (self.provider, *self.partners)


@attrs.frozen
class Event:
    """A dated happening, one-off or recurring, with one or more organisers.

    Events imported from a partner's feed carry the feed's ``uid``; a record with a
    ``recurrence_id`` overrides one occurrence of the series with the same ``uid``.
    """

    id: str
    title: Text = attrs.field(converter=to_text)
    organisers: tuple[str, ...] = attrs.field(converter=_strs)
    schedule: Schedule
    topic: str | None = None
    target_groups: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    languages: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    municipality: str | None = None  # AGS code
    location: str | None = None
    geo: GeoPoint | None = None
    status: EventStatus = EventStatus.CONFIRMED
    visibility: Visibility = Visibility.PUBLIC
    contact: Contact = attrs.field(factory=Contact)
    url: str | None = None
    description: Text | None = None
    uid: str | None = None
    recurrence_id: DateOrDateTime | None = None
    this_and_future: bool = False
    extra: Extra = attrs.field(default=EMPTY, converter=_frozen_map)

    @property
    def actors(self) -> tuple[str, ...]:
        return self.organisers

    @property
    def overrides(self) -> bool:
        """True if this record replaces one occurrence (or, with ``this_and_future``, the rest)
        of the series with the same ``uid`` — as iCalendar's RECURRENCE-ID does."""
        return self.recurrence_id is not None


@attrs.frozen
class Relation:
    """A directed tie between two actors (``source`` funds/coordinates/... ``target``)."""

    source: str
    target: str
    kind: RelationKind
    programme: str | None = None
    since: date | None = None
    note: str | None = None
    visibility: Visibility = Visibility.PUBLIC
    extra: Extra = attrs.field(default=EMPTY, converter=_frozen_map)


@attrs.frozen
class Finding:
    """Something a rule noticed: what, about whom, how bad, and what to do."""

    rule: str
    severity: Severity
    subjects: tuple[str, ...] = attrs.field(converter=_strs)
    message: str
    suggestion: str = ""
    evidence: Extra = attrs.field(default=EMPTY, converter=_frozen_map)


Item = Offer | Event


@attrs.frozen
class Decision:
    """A person's verdict on a duplicate candidate: ``same`` or ``distinct``."""

    a: str
    b: str
    verdict: str
    note: str | None = None
    by: str | None = None
    on: date | None = None
    extra: Extra = attrs.field(default=EMPTY, converter=_frozen_map)
