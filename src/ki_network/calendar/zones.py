"""Time zones of series: the zone a series recurs in, wall-clock and UTC conversions, and the
transitions of a zone (what VTIMEZONE components and fast UTC conversion are made from).
"""

from __future__ import annotations

import bisect
from datetime import UTC, datetime, time, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from ..model import DateOrDateTime

if TYPE_CHECKING:
    pass


@attrs.frozen
class Transition:
    """A change of UTC offset: the instant, the offsets around it and the new name."""

    at: datetime  # aware UTC
    before: timedelta
    after: timedelta
    dst: bool
    name: str

    @property
    def local(self) -> datetime:
        """Wall-clock time of the change in the old offset (what DTSTART says)."""
        return (self.at + self.before).replace(tzinfo=None)


def _offset(zone: tzinfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None  # noqa: S101 - a real zone
    return offset


def transitions(zone: tzinfo, first_year: int, last_year: int) -> list[Transition]:
    """The offset changes of ``zone`` from the start of ``first_year`` to the end of ``last_year``.

    zoneinfo does not expose its transition table, so we sample at daily steps and bisect each
    change down to the second; zones change at most a few times a year, so this is cheap.
    """
    found: list[Transition] = []
    instant = datetime(first_year, 1, 1, tzinfo=UTC)
    stop = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    previous = _offset(zone, instant)
    step = timedelta(days=1)
    while instant < stop:
        following = instant + step
        offset = _offset(zone, following)
        if offset != previous:
            low, high = instant, following  # offset(low) == previous, offset(high) == new
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if _offset(zone, middle) == previous:
                    low = middle
                else:
                    high = middle
            local = high.astimezone(zone)
            found.append(Transition(high, previous, offset, bool(local.dst()),
                                    local.tzname() or ""))
            previous = offset
        instant = following
    return found


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


def _aware_utc(value: datetime, default: tzinfo) -> datetime:
    return (value if value.tzinfo is not None else value.replace(tzinfo=default)).astimezone(UTC)


def as_utc(value: DateOrDateTime, zone: tzinfo) -> datetime:
    """A window bound as aware UTC: a date is its local midnight, a naive time is in ``zone``."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    return _aware_utc(value, zone)
