"""Series: one schedule entry of an offer, or one event with the records that override some
of its occurrences; and the occurrence tuple that expanding them gives."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, NamedTuple

import attrs

from ..model import DateOrDateTime, Event, EventStatus, Offer, Schedule

if TYPE_CHECKING:
    pass
from .recurrence import make_rule

Item = Offer | Event


_MIDNIGHT = time()


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
