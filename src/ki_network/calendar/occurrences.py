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
  occurrence rather than dropped."""

from __future__ import annotations

import bisect
import operator
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

import attrs
from dateutil.rrule import rrule

from ..model import DateOrDateTime, Event, Schedule

if TYPE_CHECKING:
    from ..network import Network
from .recurrence import local_until, make_rule, starts_between
from .series import _DAY, Item, Occurrence, Series, _day_of, series_of
from .zones import _aware_utc, _ToUTC, as_utc, series_zone, to_utc, wall_clock

_BY_START = operator.itemgetter(0, 2)  # start, uid


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
        starts = set(starts_between(rule, low, high)) if rule is not None else set()
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
        first = datetime.combine(_day_of(schedule.start), time.min)
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
            return datetime.combine(local.date(), time.min) if self.all_day else local
        return datetime.combine(value, time.min)

    def _span(self, event: Event) -> tuple[datetime, datetime]:
        schedule = event.schedule
        if self.all_day or not isinstance(schedule.start, datetime):
            start = to_utc(datetime.combine(_day_of(schedule.start), time.min), self.default)
            last = _day_of(schedule.end) if schedule.end is not None else \
                _day_of(schedule.start) + _DAY
            return start, to_utc(datetime.combine(last, time.min), self.default)
        start = _aware_utc(schedule.start, self.default)
        end = _aware_utc(schedule.end, self.default) if isinstance(schedule.end, datetime) \
            else start
        return start, end

    def _all_day(self, event: Event) -> bool:
        """An override's own kind: an all-day override of a timed series is all-day."""
        return self.all_day or event.schedule.all_day

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
            return Occurrence(start, end, uid, rid, event, self._all_day(event))
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
            local = rid if isinstance(rid, datetime) else datetime.combine(rid, time.min)
            if local == first or local in rdates or (
                    rule is not None and _is_instance(rule, local, rid)):
                continue  # its occurrence lies outside the window, and so does the override
            start, end = self._span(event)
            key: DateOrDateTime = local.date() if self.all_day else local
            yield Occurrence(start, end, uid, key, event, self._all_day(event))


def _is_instance(rule: rrule, local: datetime, rid: DateOrDateTime) -> bool:
    if isinstance(rid, datetime):
        return local in rule
    day = datetime.combine(rid, time.min)
    return any(s < day + _DAY for s in rule.between(day, day + _DAY, inc=True))


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
