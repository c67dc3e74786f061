"""Occurrences: when offers and events actually take place within a window.

A *series* is one schedule entry of an offer, or one event together with the records that
override some of its occurrences (same ``uid``, a ``recurrence_id``).  :func:`occurrences`
expands every series of a network into :class:`Occurrence` tuples sorted by start.

Recurrence rules are expanded by :mod:`dateutil.rrule` in the series' local wall-clock time;
only the results are turned into UTC.  Expanding in local time is what RFC 5545 prescribes
(a weekly 09:30 course stays at 09:30 across the switch to summer time) and it lets us convert
each occurrence with one fold-aware zoneinfo call instead of carrying aware datetimes through
the rule engine, which is what makes this several times faster than expanding the exported
calendar with ``recurring_ical_events`` (see ``benchmarks/calendar_bench.py``).

>>> from ki_network.testing import tiny_network
>>> net = tiny_network()
>>> found = occurrences(net, date(2026, 3, 24), date(2026, 4, 1))
>>> [(o.item.id, o.start.isoformat()) for o in found]
[('cafe-gm', '2026-03-24T08:30:00+00:00'), ('cafe-gm', '2026-03-31T07:30:00+00:00')]

The course stays at 09:30 local time; in UTC it moves by the hour of the switch to summer time.

Conventions of the data format (``docs/data-format.md``):

* naive times are wall-clock times in ``network.config.timezone``; aware times keep their zone;
* ``until`` is inclusive; a date ``until`` of a timed series means the end of that day;
* an ``exdates`` entry that is a date removes the occurrence(s) on that day of a timed series;
* DTSTART is always an occurrence (as RFC 5545 and ical.js have it, unlike bare dateutil);
* an override replaces the occurrence whose original start is its ``recurrence_id`` (a date
  matches the occurrence on that day); with ``this_and_future`` it moves that occurrence and all
  later ones by the same wall-clock shift and gives them its duration and details;
* an override whose ``recurrence_id`` is no occurrence of its series is kept as an extra
  occurrence rather than dropped.
"""

from __future__ import annotations

import bisect
import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
from dateutil.rrule import rrule, rrulestr

from ..model import DateOrDateTime, Event, EventStatus, Offer, Schedule
from .vtimezone import transitions

if TYPE_CHECKING:
    from ..network import Network

Item = Offer | Event

_MIDNIGHT = time()
_BY_START = operator.itemgetter(0, 2)  # start, uid
_DAY = timedelta(days=1)


class Occurrence(NamedTuple):
    """One occurrence of a series: a plain tuple, so that a quarter of a million stay small.

    ``start`` and ``end`` are aware UTC datetimes (``end`` is exclusive; for an all-day item
    the local midnights in the network's time zone).  ``recurrence_id`` is the occurrence's
    original start in the series' wall-clock time (naive), or a date for all-day series: what
    an override's ``recurrence_id`` names.  ``item`` is the record whose details apply — the
    override's record when the occurrence was overridden.
    """

    start: datetime
    end: datetime
    uid: str
    recurrence_id: DateOrDateTime
    item: Item
    all_day: bool

    @property
    def status(self) -> EventStatus:
        return self.item.status if isinstance(self.item, Event) else EventStatus.CONFIRMED

    @property
    def transparent(self) -> bool:
        """True if the item says it does not block time (``transp: transparent``)."""
        return is_transparent(self.item)

    @property
    def busy(self) -> bool:
        """True if the occurrence can collide: not cancelled and not transparent."""
        return self.status is not EventStatus.CANCELLED and not self.transparent


def is_transparent(item: Item) -> bool:
    """True if ``item`` carries ``transp: transparent`` (iCalendar TRANSP) in its data."""
    value = item.extra.get("transp", item.extra.get("TRANSP"))
    return isinstance(value, str) and value.strip().upper() == "TRANSPARENT"


@attrs.frozen
class Series:
    """What one exported VEVENT (with its overrides) describes.

    ``schedule`` is the effective schedule: an offer's ``valid_to`` already caps ``until``.
    """

    uid: str
    item: Item
    schedule: Schedule
    overrides: tuple[Event, ...] = ()
    tzid: str | None = None  # the zone a naive series recurs in, if not the network's


def uid_for(item: Item, index: int, namespace: str) -> str:
    """The UID of an item's series in exported calendars, stable across exports and edits.

    >>> from ki_network.model import Offer
    >>> offer = Offer(id="cafe", title="Café", provider="caritas")
    >>> uid_for(offer, 0, "ki.example"), uid_for(offer, 1, "ki.example")
    ('offer-cafe@ki.example', 'offer-cafe-2@ki.example')
    """
    kind = "offer" if isinstance(item, Offer) else "event"
    suffix = f"-{index + 1}" if index else ""
    return f"{kind}-{item.id}{suffix}@{namespace}"


def series_of(items: Iterable[Item], namespace: str) -> list[Series]:
    """The series of ``items``: one per offer schedule entry, one per event with its overrides.

    An override travels with the event that has the same ``uid`` and no ``recurrence_id``
    (the first such event, if the data has several); an override whose series is not among
    ``items`` becomes a series of its own.
    """
    found: list[Series] = []
    masters: dict[str, Event] = {}
    overrides: dict[str, list[Event]] = defaultdict(list)
    events: list[Event] = []
    for item in items:
        if isinstance(item, Offer):
            found.extend(Series(uid_for(item, n, namespace), item, _effective(item, schedule))
                         for n, schedule in enumerate(item.schedule))
        elif item.uid and item.overrides:
            overrides[item.uid].append(item)
        else:
            if item.uid:
                masters.setdefault(item.uid, item)
            events.append(item)
    for event in events:
        own = overrides.pop(event.uid, []) if event.uid and masters[event.uid] is event else []
        tzid = event.extra.get("tzid")
        found.append(Series(uid_for(event, 0, namespace), event, event.schedule,
                            tuple(sorted(own, key=lambda e: e.id)),
                            tzid if isinstance(tzid, str) else None))
    for orphans in overrides.values():
        found.extend(Series(uid_for(e, 0, namespace), e, attrs.evolve(e.schedule, rrule=None))
                     for e in orphans)
    return found


def _effective(offer: Offer, schedule: Schedule) -> Schedule:
    """``schedule`` within the offer's validity.

    ``valid_to`` becomes the latest possible ``until``; a series that starts before
    ``valid_from`` starts at its first occurrence from then on (found by dateutil; not for
    COUNT rules, whose count would change).  Expansion and export both read this.
    """
    if not schedule.rrule:
        return schedule
    rule_text = schedule.rrule.upper()
    if offer.valid_to is not None and "UNTIL=" not in rule_text and (
            schedule.until is None or _day_of(schedule.until) > offer.valid_to):
        schedule = attrs.evolve(schedule, until=offer.valid_to)
    if offer.valid_from is None or "COUNT=" in rule_text or \
            _day_of(schedule.start) >= offer.valid_from:
        return schedule
    start = schedule.start
    local = (start.replace(tzinfo=None) if isinstance(start, datetime)
             else datetime.combine(start, _MIDNIGHT))
    first = make_rule(schedule, local, None).after(
        datetime.combine(offer.valid_from, _MIDNIGHT), inc=True)
    if first is None:
        return schedule
    shift = first - local
    if not isinstance(start, datetime):
        shift = timedelta(days=shift.days)
    return attrs.evolve(schedule, start=start + shift,
                        end=schedule.end + shift if schedule.end is not None else None,
                        rdates=[r for r in schedule.rdates if _day_of(r) >= offer.valid_from])


def _day_of(value: DateOrDateTime) -> date:
    return value.date() if isinstance(value, datetime) else value


# -- time zones --------------------------------------------------------------------------------


def series_zone(start: DateOrDateTime, default: tzinfo, tzid: str | None = None) -> tzinfo:
    """The zone whose wall-clock a series with first start ``start`` recurs in.

    Naive and all-day starts recur in the network's zone ``default`` — or, for a naive start,
    in the zone ``tzid`` named by the record (the importer writes partner times as
    wall-clock times of the network and keeps the source's zone as ``tzid``, so that a New
    York series keeps New York's daylight saving).  An aware start keeps its zone.  A fixed
    offset of whole hours becomes the matching ``Etc/GMT`` zone, so that the exported
    calendar can name it with a VTIMEZONE; UTC stays UTC.

    >>> series_zone(datetime(2026, 1, 1, 9, tzinfo=timezone(timedelta(hours=2))), UTC)
    zoneinfo.ZoneInfo(key='Etc/GMT-2')
    """
    if not isinstance(start, datetime):
        return default
    if start.tzinfo is None:
        if tzid:
            try:
                return ZoneInfo(tzid)
            except (ZoneInfoNotFoundError, ValueError):
                return default
        return default
    zone = start.tzinfo
    if isinstance(zone, ZoneInfo):
        return zone
    offset = start.utcoffset()
    if offset is not None and offset == timedelta(0) and zone.dst(start) in (None, timedelta(0)):
        return UTC
    if isinstance(zone, timezone) and offset is not None and offset % timedelta(hours=1) == \
            timedelta(0):
        hours = int(offset / timedelta(hours=1))
        try:
            return ZoneInfo(f"Etc/GMT{-hours:+d}")
        except ZoneInfoNotFoundError:  # beyond ±14 h: keep the offset itself
            return zone
    return zone


def wall_clock(value: datetime, zone: tzinfo, default: tzinfo) -> datetime:
    """``value`` as naive wall-clock time in ``zone`` (a naive ``value`` is in ``default``)."""
    if value.tzinfo is None:
        if zone is default:
            return value
        value = value.replace(tzinfo=default)
    return value.astimezone(zone).replace(tzinfo=None)


def to_utc(local: datetime, zone: tzinfo) -> datetime:
    """Naive wall-clock ``local`` in ``zone`` as aware UTC.

    zoneinfo resolves the gap of spring-forward with the offset before it (02:30 becomes
    03:30 summer time) and the repeated hour of fall-back as its first instance (``fold=0``),
    as RFC 5545 3.3.5 prescribes.
    """
    return local.replace(tzinfo=zone).astimezone(UTC)


class _ToUTC:
    """``to_utc`` for one zone within a span of years, by bisecting the zone's offset changes.

    Converting a quarter of a million occurrences one zoneinfo call at a time is a third of
    the expansion's cost; the offset changes only twice a year, so we look it up instead.  A
    change from offset ``a`` to ``b`` at UTC instant ``T`` makes wall-clock times from
    ``T + max(a, b)`` on use ``b`` and earlier ones ``a`` — which is exactly zoneinfo's
    ``fold=0`` reading of skipped and repeated times (a test compares the two).
    """

    def __init__(self, zone: tzinfo, first_year: int, last_year: int) -> None:
        self.zone = zone
        self.first_year, self.last_year = first_year, last_year
        self.bounds: list[datetime] = []
        self.offsets: list[timedelta] = []
        if last_year - first_year <= 60:  # beyond that, zoneinfo itself is cheaper to ask
            changes = transitions(zone, first_year, last_year)
            start = datetime(first_year, 1, 1, tzinfo=UTC).astimezone(zone).utcoffset()
            self.offsets = [start or timedelta(0), *(c.after for c in changes)]
            self.bounds = [(c.at + max(c.before, c.after)).replace(tzinfo=None) for c in changes]
        self.fast = bool(self.offsets)

    def many(self, starts: list[datetime]) -> list[datetime]:
        """``starts`` (sorted) converted, walking the offset changes along with them."""
        if not (self.fast and starts and self.first_year < starts[0].year
                and starts[-1].year < self.last_year):
            return [self(local) for local in starts]
        bounds, offsets = self.bounds, self.offsets
        index = bisect.bisect_right(bounds, starts[0])
        following = bounds[index] if index < len(bounds) else datetime.max
        offset = offsets[index]
        found = []
        for local in starts:
            while local >= following:
                index += 1
                offset = offsets[index]
                following = bounds[index] if index < len(bounds) else datetime.max
            found.append((local - offset).replace(tzinfo=UTC))
        return found

    def __call__(self, local: datetime) -> datetime:
        if self.fast and self.first_year < local.year < self.last_year:
            offset = self.offsets[bisect.bisect_right(self.bounds, local)]
            return (local - offset).replace(tzinfo=UTC)
        return local.replace(tzinfo=self.zone).astimezone(UTC)


# -- expansion ---------------------------------------------------------------------------------


def _split_until(rule: str) -> tuple[str, str | None]:
    """The rule without its UNTIL part, and the UNTIL value (RFC 5545 text) if there was one."""
    parts = [p for p in rule.strip().removeprefix("RRULE:").split(";") if p]
    until = next((p.split("=", 1)[1] for p in parts if p.upper().startswith("UNTIL=")), None)
    return ";".join(p for p in parts if not p.upper().startswith("UNTIL=")), until


def _ical_time(text: str) -> DateOrDateTime:
    text = text.strip()
    if len(text) == 8:
        return datetime.strptime(text, "%Y%m%d").date()
    parsed = datetime.strptime(text.rstrip("Zz"), "%Y%m%dT%H%M%S")
    return parsed.replace(tzinfo=UTC) if text[-1] in "Zz" else parsed


def local_until(schedule: Schedule, zone: tzinfo, default: tzinfo) -> datetime | None:
    """The inclusive end of the series as naive wall-clock time in ``zone`` (``None``: open).

    A date ends at the end of that day for a timed series, at its midnight for an all-day one.
    """
    until: DateOrDateTime | None = schedule.until
    if until is None and schedule.rrule:
        text = _split_until(schedule.rrule)[1]
        until = _ical_time(text) if text else None
    if until is None:
        return None
    if isinstance(until, datetime):
        return wall_clock(until, zone, default) if schedule.all_day is False else \
            datetime.combine(until.date(), _MIDNIGHT)
    return datetime.combine(until, _MIDNIGHT if schedule.all_day else time.max)


def make_rule(schedule: Schedule, dtstart: datetime, until: datetime | None) -> rrule:
    """The dateutil rule of ``schedule`` starting at naive ``dtstart``, bounded by ``until``."""
    assert schedule.rrule is not None  # noqa: S101 - callers check
    text, _ = _split_until(schedule.rrule)
    parsed = rrulestr(text, dtstart=dtstart, ignoretz=True)
    assert isinstance(parsed, rrule)  # noqa: S101 - a single RRULE, never a set
    if until is None or "COUNT=" in text.upper():  # RFC 5545: COUNT and UNTIL exclude each other
        return parsed
    return parsed.replace(until=until)


class _Expander:
    """Expands series of one network into occurrences within a UTC window."""

    def __init__(self, default: tzinfo, start: datetime, end: datetime) -> None:
        self.default = default
        self.start = start
        self.end = end
        self._converters: dict[tzinfo, _ToUTC] = {}

    def converter(self, zone: tzinfo) -> _ToUTC:
        """Wall-clock → UTC in ``zone`` for the window (with a year of margin each side)."""
        found = self._converters.get(zone)
        if found is None:
            found = self._converters[zone] = _ToUTC(
                zone, max(self.start.year - 2, 1), min(self.end.year + 2, 9999))
        return found

    def expand(self, series: Series) -> list[Occurrence]:
        schedule = series.schedule
        if schedule.all_day:
            return self._all_day(series)
        assert isinstance(schedule.start, datetime)  # noqa: S101 - not all-day
        zone = series_zone(schedule.start, self.default, series.tzid)
        first = wall_clock(schedule.start, zone, self.default)
        first_utc = to_utc(first, zone)
        duration = (to_utc(wall_clock(schedule.end, zone, self.default), zone) - first_utc
                    if isinstance(schedule.end, datetime) else timedelta(0))
        overrides = _Overrides(series, zone, self.default, first, self)
        margin = duration + overrides.max_shift + _DAY  # the day covers DST and odd offsets
        low = self.start.astimezone(zone).replace(tzinfo=None) - margin
        high = self.end.astimezone(zone).replace(tzinfo=None) + margin
        rule = (make_rule(schedule, first, local_until(schedule, zone, self.default))
                if schedule.rrule else None)
        starts = self._starts(schedule, rule, first, zone, low=low, high=high)
        uid, item = series.uid, series.item
        utcs = self.converter(zone).many(starts)
        if overrides.empty:
            found = [Occurrence(utc, utc + duration, uid, local, item, False)
                     for local, utc in zip(starts, utcs, strict=True)]
        else:
            touches = overrides.touches
            found = [overrides.apply(local, duration, uid, item) if touches(local) else
                     Occurrence(utc, utc + duration, uid, local, item, False)
                     for local, utc in zip(starts, utcs, strict=True)]
            rdates = frozenset(wall_clock(r, zone, self.default) for r in schedule.rdates
                               if isinstance(r, datetime))
            found.extend(overrides.unmatched(rule, first, uid, rdates))
        return self._clip(found)

    def _starts(self, schedule: Schedule, rule: rrule | None, first: datetime, zone: tzinfo, *,
                low: datetime, high: datetime) -> list[datetime]:
        starts = set(rule.between(low, high, inc=True)) if rule is not None else set()
        if low <= first <= high:
            starts.add(first)
        for extra in schedule.rdates:
            local = (wall_clock(extra, zone, self.default) if isinstance(extra, datetime)
                     else datetime.combine(extra, first.time()))
            if low <= local <= high:
                starts.add(local)
        if schedule.exdates:
            days = {x for x in schedule.exdates if not isinstance(x, datetime)}
            exact = {wall_clock(x, zone, self.default) for x in schedule.exdates
                     if isinstance(x, datetime)}
            starts = {s for s in starts if s not in exact and s.date() not in days}
        return sorted(starts)

    def _all_day(self, series: Series) -> list[Occurrence]:
        schedule = series.schedule
        first = datetime.combine(_day_of(schedule.start), _MIDNIGHT)
        days = ((_day_of(schedule.end) - _day_of(schedule.start)).days
                if schedule.end is not None else 1)
        length = timedelta(days=max(days, 1))
        zone = self.default
        overrides = _Overrides(series, zone, self.default, first, self)
        margin = length + overrides.max_shift + _DAY
        low = self.start.astimezone(zone).replace(tzinfo=None) - margin
        high = self.end.astimezone(zone).replace(tzinfo=None) + margin
        rule = (make_rule(schedule, first, local_until(schedule, zone, self.default))
                if schedule.rrule else None)
        dated = attrs.evolve(schedule, exdates=[_day_of(x) for x in schedule.exdates],
                             rdates=[_day_of(x) for x in schedule.rdates])
        found = [overrides.apply(local, length, series.uid, series.item)
                 for local in self._starts(dated, rule, first, zone, low=low, high=high)]
        found.extend(overrides.unmatched(rule, first, series.uid))
        return self._clip(found)

    def _clip(self, found: list[Occurrence]) -> list[Occurrence]:
        start, end = self.start, self.end
        return [o for o in found
                if o.start < end and (o.end > start or (o.end == o.start and o.start >= start))]


class _Overrides:
    """The overrides of one series, resolved against its wall-clock time."""

    def __init__(self, series: Series, zone: tzinfo, default: tzinfo, first: datetime,
                 expander: _Expander) -> None:
        self.zone = zone
        self.default = default
        self.convert = expander.converter(default if series.schedule.all_day else zone)
        self.all_day = series.schedule.all_day
        self.exact: dict[DateOrDateTime, Event] = {}
        self.by_day: dict[date, Event] = {}
        ranges: list[tuple[datetime, Event]] = []
        shifts = [timedelta(0)]
        for event in series.overrides:
            assert event.recurrence_id is not None  # noqa: S101 - an override
            rid = self._local(event.recurrence_id)
            shifts.append(abs(self._local(event.schedule.start) - rid))
            if event.this_and_future:
                ranges.append((rid, event))
            elif not self.all_day and not isinstance(event.recurrence_id, datetime):
                self.by_day[rid.date()] = event
            else:
                self.exact[rid] = event
        ranges.sort(key=lambda pair: pair[0])
        self.range_starts = [rid for rid, _ in ranges]
        self.ranges = [event for _, event in ranges]
        self.max_shift = max(shifts)
        self.used: set[int] = set()
        self.empty = not series.overrides

    def _local(self, value: DateOrDateTime) -> datetime:
        if isinstance(value, datetime):
            local = wall_clock(value, self.zone, self.default)
            return datetime.combine(local.date(), _MIDNIGHT) if self.all_day else local
        return datetime.combine(value, _MIDNIGHT)

    def _span(self, event: Event) -> tuple[datetime, datetime]:
        schedule = event.schedule
        if self.all_day or not isinstance(schedule.start, datetime):
            start = to_utc(datetime.combine(_day_of(schedule.start), _MIDNIGHT), self.default)
            last = _day_of(schedule.end) if schedule.end is not None else \
                _day_of(schedule.start) + _DAY
            return start, to_utc(datetime.combine(last, _MIDNIGHT), self.default)
        start = _aware_utc(schedule.start, self.default)
        end = _aware_utc(schedule.end, self.default) if isinstance(schedule.end, datetime) \
            else start
        return start, end

    def touches(self, local: datetime) -> bool:
        """True if an override applies to the occurrence that starts at ``local``."""
        return (local in self.exact or (bool(self.by_day) and local.date() in self.by_day)
                or (bool(self.range_starts) and local >= self.range_starts[0]))

    def apply(self, local: datetime, duration: timedelta, uid: str, item: Item) -> Occurrence:
        rid: DateOrDateTime = local.date() if self.all_day else local
        event = self.exact.get(local) or (self.by_day.get(local.date()) if self.by_day else None)
        if event is not None:
            self.used.add(id(event))
            start, end = self._span(event)
            return Occurrence(start, end, uid, rid, event, self.all_day)
        if self.range_starts and local >= self.range_starts[0]:
            event = self.ranges[bisect.bisect_right(self.range_starts, local) - 1]
            assert event.recurrence_id is not None  # noqa: S101 - an override
            start, end = self._span(event)
            shift = self._local(event.schedule.start) - self._local(event.recurrence_id)
            moved = local + shift
            utc = self.convert(moved)
            return Occurrence(utc, utc + (end - start), uid, rid, event, self.all_day)
        utc = self.convert(local)
        if self.all_day:  # whole local days, also across the switch to summer time
            return Occurrence(utc, self.convert(local + duration), uid, rid, item, True)
        return Occurrence(utc, utc + duration, uid, rid, item, False)

    def unmatched(self, rule: rrule | None, first: datetime, uid: str,
                  rdates: frozenset[datetime] = frozenset()) -> Iterator[Occurrence]:
        """Overrides that matched no expanded occurrence and name no occurrence at all.

        Such a record still describes something that happens, so it is kept as an extra
        occurrence (as recurring-ical-events does) rather than dropped.
        """
        ranges = list(zip(self.range_starts, self.ranges, strict=True))
        for rid, event in [*self.exact.items(), *self.by_day.items(), *ranges]:
            if id(event) in self.used:
                continue
            local = rid if isinstance(rid, datetime) else datetime.combine(rid, _MIDNIGHT)
            if local == first or local in rdates or (
                    rule is not None and _is_instance(rule, local, rid)):
                continue  # its occurrence lies outside the window, and so does the override
            start, end = self._span(event)
            key: DateOrDateTime = local.date() if self.all_day else local
            yield Occurrence(start, end, uid, key, event, self.all_day)


def _is_instance(rule: rrule, local: datetime, rid: DateOrDateTime) -> bool:
    if isinstance(rid, datetime):
        return local in rule
    day = datetime.combine(rid, _MIDNIGHT)
    return any(s < day + _DAY for s in rule.between(day, day + _DAY, inc=True))


def _aware_utc(value: datetime, default: tzinfo) -> datetime:
    return (value if value.tzinfo is not None else value.replace(tzinfo=default)).astimezone(UTC)


def as_utc(value: DateOrDateTime, zone: tzinfo) -> datetime:
    """A window bound as aware UTC: a date is its local midnight, a naive time is in ``zone``."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, _MIDNIGHT)
    return _aware_utc(value, zone)


def expand(series: Iterable[Series], start: DateOrDateTime, end: DateOrDateTime,
           zone: tzinfo) -> list[Occurrence]:
    """Occurrences of ``series`` that overlap ``[start, end)``, sorted by start and UID.

    ``zone`` is the network's time zone: naive times and dates are wall-clock times there.
    """
    expander = _Expander(zone, as_utc(start, zone), as_utc(end, zone))
    found: list[Occurrence] = []
    for one in series:
        found.extend(expander.expand(one))
    found.sort(key=_BY_START)
    return found


def occurrences(network: Network, start: DateOrDateTime, end: DateOrDateTime,
                items: Sequence[Item] | None = None) -> list[Occurrence]:
    """Occurrences of the network's offers and events (or of ``items``) overlapping the window.

    :param network: the network (its time zone and id namespace are used).
    :param start: start of the window; a date means its local midnight.
    :param end: end of the window (exclusive).
    :param items: restrict to these offers and events (default: all of the network).
    :return: occurrences sorted by UTC start, then UID.
    """
    chosen = list(network.items()) if items is None else items
    return expand(series_of(chosen, network.config.id_namespace), start, end, network.config.tz)
