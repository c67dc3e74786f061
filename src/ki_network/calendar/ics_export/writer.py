"""The joint calendar: offers and events as an iCalendar feed that real clients read right.

The calendar and its VTIMEZONEs are :mod:`icalendar` components; each VEVENT is a list of
properties written by :mod:`.contentlines` (an ``icalendar.Event`` only for plugins that
customise events — see there why).  What clients need is set explicitly and checked on the
bytes by the tests (``../shared/checks/ics_lint.py``, ical.js, recurring-ical-events):

* no X-WR-TIMEZONE: we write no floating times, and clients that honour it (Google, and
  libraries that imitate Google) re-read UTC start times as wall-clock times in that zone,
  which moves UTC-based series by an hour in summer;
* text properties of the calendar (NAME, X-WR-CALNAME, X-WR-CALDESC) are added as ``vText`` —
  icalendar writes unknown properties unescaped and then refuses a newline in them;
* REFRESH-INTERVAL carries ``VALUE=DURATION`` and X-PUBLISHED-TTL is written as a duration;
* VTIMEZONEs come from :mod:`.vtimezone` (RRULE transitions), one per zone used, never for UTC;
* UNTIL is UTC for zoned starts and a date for all-day ones; EXDATE, RDATE and RECURRENCE-ID
  have the start's value type (a date exdate of a timed series becomes the occurrence that
  day); each RDATE and EXDATE is its own line;
* DTSTAMP, SEQUENCE and LAST-MODIFIED come from the calendar state (:mod:`.state`), so the
  same data gives the same bytes.

>>> from ki_network.testing import tiny_network
>>> net = tiny_network()
>>> result = export_calendar(net, now=datetime(2026, 1, 1, tzinfo=UTC))
>>> result.components, result.skipped
(2, ())
>>> b"UID:offer-cafe-gm@ki-network.invalid\\r\\n" in result.data
True
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

import attrs
import icalendar

from ...locale import N_
from ...model import DateOrDateTime, Event, EventStatus, Offer, Schedule, Visibility
from ...network import restricted
from ..occurrences import expand
from ..recurrence import local_until, make_rule
from ..series import Item, Series, is_transparent, series_of
from ..zones import as_utc, series_zone, wall_clock
from .contentlines import (
    Prop,
    component_lines,
    normalise_newlines,
    props_lines,
    to_component,
)
from .state import CalendarState, fingerprint
from .vtimezone import vtimezone

if TYPE_CHECKING:
    from ...network import Network


PRODID = "-//ki-network//Joint calendar//EN"


#: how far after a THISANDFUTURE override its moved occurrences are also written one by one
RANGE_HORIZON = timedelta(days=3 * 365)


REFRESH = timedelta(hours=12)


_DAY = timedelta(days=1)


_JOINT = {"de": "Gemeinsamer Kalender", "en": "Joint calendar"}


@attrs.frozen
class Skipped:
    """An item that is not in the calendar, and why."""

    item: str
    reason: str


@attrs.frozen
class CalendarExport:
    """The bytes of one calendar file and what went into it."""

    data: bytes
    components: int
    series: int
    skipped: tuple[Skipped, ...] = ()


def export_calendar(network: Network, items: Iterable[Item] | None = None, *,
                    audience: Visibility | str = Visibility.PUBLIC,
                    state: CalendarState | None = None, language: str | None = None,
                    name: str | None = None, description: str | None = None,
                    start: DateOrDateTime | None = None, end: DateOrDateTime | None = None,
                    refresh: timedelta = REFRESH, now: datetime | None = None
                    ) -> CalendarExport:
    """The calendar of ``items`` (default: everything in ``network``) as iCalendar bytes.

    :param audience: who will subscribe (default ``public``): the network is restricted
        to what they may see first (:func:`ki_network.network.restricted`), and ``items``
        they may not see are left out.  ``"internal"`` exports everything.
    :param state: SEQUENCE/LAST-MODIFIED memory (default: in memory only; the command line
        uses the data directory's state file); updated in place, saved by the caller.
    :param language: language of titles and descriptions (falls back to the network's).
    :param name: calendar name (default: the network's name).
    :param start: with ``end``, export only series with an occurrence in ``[start, end)``.
    :param now: the time an edit is stamped with (default: now).
    """
    full, network = network, restricted(network, audience)
    state = state if state is not None else CalendarState()
    now = now or datetime.now(UTC)
    chosen = list(network.items()) if items is None else _visible(full, network, items)
    skipped = [Skipped(o.id, N_("no schedule")) for o in chosen
               if isinstance(o, Offer) and not o.schedule]
    all_series = series_of(chosen, network.config.id_namespace)
    if start is not None or end is not None:
        # open ends: far enough for any schedule, near enough that margins cannot overflow
        low = start if start is not None else datetime(1000, 1, 1, tzinfo=UTC)
        high = end if end is not None else datetime(3000, 1, 1, tzinfo=UTC)
        inside = {o.uid for o in expand(all_series, low, high, network.config.tz)}
        all_series = [s for s in all_series if s.uid in inside]
    writer = _Writer(network, state, language or network.config.language, now)
    events: list[tuple[tuple[str, str], list[Prop]]] = []
    for series in all_series:
        events.extend(writer.series(series))
    events.sort(key=lambda pair: pair[0])

    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    title = name or network.config.name
    lang = language or network.config.language
    text = description or f"{network.config.name}: {_JOINT.get(lang, _JOINT['en'])}"
    calendar.add("name", icalendar.vText(normalise_newlines(title)))
    calendar.add("x-wr-calname", icalendar.vText(normalise_newlines(title)))
    calendar.add("description", icalendar.vText(normalise_newlines(text)))
    calendar.add("x-wr-caldesc", icalendar.vText(normalise_newlines(text)))
    calendar.add("refresh-interval", icalendar.vDuration(refresh),
                 parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(refresh))
    for tzid in sorted(writer.zones):
        zone, first, last = writer.zones[tzid]
        calendar.add_component(vtimezone(zone, first, last))
    lines = component_lines(calendar)
    end_line = lines.pop()
    hooks = network.hooks
    customised = hooks.implemented("ki_network_calendar_event")
    for _, props in events:
        if customised:
            component = to_component(props)
            hooks.calendar_event(component, writer.items[id(props)], network)
            lines.extend(component_lines(component))
        else:
            lines.extend(props_lines("VEVENT", props))
    lines.append(end_line)
    return CalendarExport(b"".join(lines), len(events), len(all_series), tuple(skipped))


class _Writer:
    """Turns series into VEVENT components, noting the zones they use."""

    def __init__(self, network: Network, state: CalendarState, language: str,
                 now: datetime) -> None:
        self.network = network
        self.state = state
        self.language = language
        self.fallback = (network.config.language, "de", "en")
        self.now = now
        self.default = network.config.tz
        #: TZID → (zone, first year, last year) of the times written in it
        self.zones: dict[str, tuple[tzinfo, int, int]] = {}
        #: the item each property list was made from (by ``id`` of the list)
        self.items: dict[int, Item] = {}
        self._labels: dict[str, list[str]] = {}  # topic → CATEGORIES
        self.tzid: str | None = None  # the zone of the series being written, if named

    # -- values ------------------------------------------------------------------------------

    def _zone_of(self, start: DateOrDateTime, tzid: str | None = None) -> tzinfo | None:
        """The zone times of this series are written in; ``None`` for dates and UTC."""
        if not isinstance(start, datetime):
            return None
        zone = series_zone(start, self.default, tzid)
        if zone is UTC or not isinstance(getattr(zone, "key", None), str):
            return None  # written in UTC; an offset without a name has no VTIMEZONE
        return zone

    def _value(self, value: DateOrDateTime, zone: tzinfo | None, all_day: bool
               ) -> DateOrDateTime:
        if all_day:
            return value.date() if isinstance(value, datetime) else value
        if not isinstance(value, datetime):
            raise TypeError("a date where a date-time is needed")
        if zone is None:
            return (value if value.tzinfo else value.replace(tzinfo=self.default)).astimezone(UTC)
        local = wall_clock(value, zone, self.default)
        key = str(getattr(zone, "key", ""))
        first, last = self.zones.get(key, (zone, local.year, local.year))[1:]
        self.zones[key] = (zone, min(first, local.year), max(last, local.year))
        return local.replace(tzinfo=zone)

    def _text(self, item: Item) -> dict[str, Any]:
        title = item.title.get(self.language, self.fallback)
        described = item.description.get(self.language, self.fallback) \
            if item.description else None
        return {"summary": title, "description": described}

    # -- components --------------------------------------------------------------------------

    def series(self, series: Series) -> list[tuple[tuple[str, str], list[Prop]]]:
        schedule = series.schedule
        self.tzid = series.tzid
        zone = self._zone_of(schedule.start, series.tzid)
        all_day = schedule.all_day
        master: list[Prop] = [("UID", {}, series.uid)]
        self._times(master, schedule, zone, all_day)
        if schedule.rrule:
            master.append(("RRULE", {}, self._rule(schedule, zone, all_day)))
        master.extend(("RDATE", {}, self._value(self._like_start(extra, schedule), zone, all_day))
                      for extra in schedule.rdates)
        master.extend(("EXDATE", {}, excluded)
                      for excluded in self._exdates(schedule, zone, all_day))
        self._details(master, series.uid, series.item, schedule)
        return [((series.uid, ""), master),
                *(self._override(series, o, zone, all_day) for o in series.overrides),
                *self._spelled_out(series, zone, all_day)]

    def _spelled_out(self, series: Series, zone: tzinfo | None, all_day: bool
                     ) -> list[tuple[tuple[str, str], list[Prop]]]:
        """Each occurrence a THISANDFUTURE override moves, as an override of its own.

        Outlook and Google ignore ``RANGE=THISANDFUTURE`` and would show the rest of the
        series at the old time; single-occurrence overrides every client reads.  The RANGE
        component stays for clients that know it; the spelled-out ones agree with it, up to
        :data:`RANGE_HORIZON` after the override (or the end of the series).
        """
        ranges = [o for o in series.overrides if o.this_and_future
                  and o.schedule.all_day == all_day and o.recurrence_id is not None]
        if not ranges or not series.schedule.rrule:
            return []
        series_tz = series_zone(series.schedule.start, self.default, series.tzid)

        def local(value: DateOrDateTime) -> datetime:
            if isinstance(value, datetime):
                found = wall_clock(value, series_tz, self.default)
                return datetime.combine(found.date(), datetime.min.time()) if all_day else found
            return datetime.combine(value, datetime.min.time())

        exact: set[datetime] = set()
        days: set[date] = set()
        for other in series.overrides:
            if other.this_and_future or other.recurrence_id is None:
                continue
            if not all_day and not isinstance(other.recurrence_id, datetime):
                days.add(other.recurrence_id)
            else:
                exact.add(local(other.recurrence_id))
        ranges.sort(key=lambda o: local(o.recurrence_id))  # type: ignore[arg-type]
        starts = [local(o.recurrence_id) for o in ranges]  # type: ignore[arg-type]
        plain = attrs.evolve(series, overrides=())
        window = (as_utc(starts[0], series_tz), as_utc(starts[-1], series_tz) + RANGE_HORIZON)
        found = []
        for occurrence in expand([plain], *window, self.default):
            # already the series' wall-clock time (for a UTC series, not the network's)
            rid = occurrence.recurrence_id
            original = rid if isinstance(rid, datetime) and not all_day else \
                datetime.combine(_as_date(rid), datetime.min.time())
            index = bisect.bisect_right(starts, original) - 1
            if index < 0 or original == starts[index] or original in exact or \
                    original.date() in days:
                continue
            override = ranges[index]
            shift = local(override.schedule.start) - starts[index]
            found.append(self._moved(series, override, original, shift, series_tz=series_tz,
                                     zone=zone, all_day=all_day))
        return found

    def _moved(self, series: Series, override: Event, original: datetime, shift: timedelta, *,
               series_tz: tzinfo, zone: tzinfo | None, all_day: bool
               ) -> tuple[tuple[str, str], list[Prop]]:
        """One occurrence moved by a THISANDFUTURE override, as its own override."""
        own = override.schedule
        if all_day:
            rid: DateOrDateTime = original.date()
            start: DateOrDateTime = original.date() + timedelta(days=shift.days)
            end: DateOrDateTime | None = (
                start + (_as_date(own.end) - _as_date(own.start)) if own.end is not None
                else None)
        else:
            rid = original.replace(tzinfo=series_tz)
            start = (original + shift).replace(tzinfo=series_tz)
            end = (start.astimezone(UTC) + (as_utc(own.end, self.default)
                                            - as_utc(own.start, self.default))
                   if isinstance(own.end, datetime) and isinstance(own.start, datetime)
                   else None)
        value = self._value(rid, zone, all_day)
        component: list[Prop] = [("UID", {}, series.uid), ("RECURRENCE-ID", {}, value),
                                 ("DTSTART", {}, self._value(start, zone, all_day))]
        if end is not None:
            component.append(("DTEND", {}, self._value(end, zone, all_day)))
        rid_text = icalendar.vDDDTypes(value).to_ical().decode()
        self._details(component, f"{series.uid}|{rid_text}", override, own)
        return (series.uid, rid_text), component

    def _times(self, props: list[Prop], schedule: Schedule, zone: tzinfo | None,
               all_day: bool) -> None:
        props.append(("DTSTART", {}, self._value(schedule.start, zone, all_day)))
        if schedule.end is not None:
            props.append(("DTEND", {}, self._value(schedule.end, zone, all_day)))

    def _like_start(self, value: DateOrDateTime, schedule: Schedule) -> DateOrDateTime:
        """An RDATE given as a date for a timed series means that day at the start's time."""
        if isinstance(schedule.start, datetime) and not isinstance(value, datetime):
            return datetime.combine(value, schedule.start.timetz())
        return value

    def _rule(self, schedule: Schedule, zone: tzinfo | None, all_day: bool) -> str:
        """The RRULE value: the data's rule in icalendar's part order, UNTIL in UTC or a date.

        Written as text (not through ``vRecur``, which costs a tenth of a millisecond per
        series); a plugin still gets a ``vRecur`` (see :func:`.contentlines.to_component`).
        """
        assert schedule.rrule is not None  # noqa: S101 - callers check
        parts = {}
        for part in schedule.rrule.strip().removeprefix("RRULE:").split(";"):
            name, _, value = part.partition("=")
            if name.strip() and name.strip().upper() != "UNTIL":
                parts[name.strip().upper()] = value.strip().upper()
        if "COUNT" not in parts:
            series_tz = series_zone(schedule.start, self.default, self.tzid)
            until = local_until(schedule, series_tz, self.default)
            if until is not None and all_day:
                parts["UNTIL"] = until.strftime("%Y%m%d")
            elif until is not None:  # RFC 5545: UTC when DTSTART has a time zone
                aware = until.replace(microsecond=0, tzinfo=series_tz).astimezone(UTC)
                parts["UNTIL"] = aware.strftime("%Y%m%dT%H%M%SZ")
        order = icalendar.vRecur.canonical_order
        return ";".join(f"{name}={parts[name]}" for name in sorted(
            parts, key=lambda n: (order.index(n) if n in order else len(order), n)))

    def _exdates(self, schedule: Schedule, zone: tzinfo | None, all_day: bool
                 ) -> list[DateOrDateTime]:
        values: set[DateOrDateTime] = set()
        for excluded in schedule.exdates:
            if all_day or isinstance(excluded, datetime):
                values.add(self._value(excluded, zone, all_day))
            else:
                values.update(self._value(at, zone, False)
                              for at in self._on_day(schedule, excluded))
        return sorted(values, key=lambda v: v if isinstance(v, datetime) else
                      datetime.combine(v, datetime.min.time(), UTC))

    def _on_day(self, schedule: Schedule, day: date) -> list[datetime]:
        """Starts of the timed series ``schedule`` on local ``day`` (as the series has them)."""
        assert isinstance(schedule.start, datetime)  # noqa: S101 - timed series
        series_tz = series_zone(schedule.start, self.default, self.tzid)
        first = wall_clock(schedule.start, series_tz, self.default)
        low = datetime.combine(day, datetime.min.time())
        starts = [first] if first.date() == day else []
        if schedule.rrule:
            rule = make_rule(schedule, first, local_until(schedule, series_tz, self.default))
            starts.extend(s for s in rule.between(low, low + _DAY, inc=True) if s < low + _DAY)
        starts.extend(wall_clock(r, series_tz, self.default) for r in schedule.rdates
                      if isinstance(r, datetime) and
                      wall_clock(r, series_tz, self.default).date() == day)
        aware = schedule.start.tzinfo is not None
        return [s.replace(tzinfo=series_tz) if aware else s for s in sorted(set(starts))]

    def _override(self, series: Series, override: Event, zone: tzinfo | None, all_day: bool
                  ) -> tuple[tuple[str, str], list[Prop]]:
        assert override.recurrence_id is not None  # noqa: S101 - an override
        schedule = series.schedule
        rid = override.recurrence_id
        if not all_day and not isinstance(rid, datetime):
            on_day = self._on_day(schedule, rid)
            rid = on_day[0] if on_day else self._like_start(rid, schedule)
        value = self._value(rid, zone, all_day)
        parameters = {"RANGE": "THISANDFUTURE"} if override.this_and_future else {}
        component: list[Prop] = [("UID", {}, series.uid), ("RECURRENCE-ID", parameters, value)]
        own_zone = self._zone_of(override.schedule.start)
        if override.schedule.all_day == all_day:
            self._times(component, override.schedule, own_zone, all_day)
        else:  # an all-day override of a timed series or the reverse: keep its own kind
            self._times(component, override.schedule, own_zone, override.schedule.all_day)
        rid_text = icalendar.vDDDTypes(value).to_ical().decode()
        self._details(component, f"{series.uid}|{rid_text}", override, override.schedule)
        return (series.uid, rid_text), component

    def _details(self, component: list[Prop], key: str, item: Item,
                 schedule: Schedule) -> None:
        network = self.network
        texts = self._text(item)
        transparent = is_transparent(item)
        status = item.status if isinstance(item, Event) else EventStatus.CONFIRMED
        location = item.location or (network.municipality_name(item.municipality)
                                     if item.municipality else None)
        stamp = self.state.stamp(
            key,
            fingerprint([schedule.start, schedule.end, schedule.rrule, schedule.until,
                         schedule.exdates, schedule.rdates, item.location, item.municipality,
                         (item.geo.lat, item.geo.lon) if item.geo else None, status.value,
                         getattr(item, "recurrence_id", None),
                         getattr(item, "this_and_future", None),
                         getattr(item, "valid_to", None)]),
            fingerprint([item.title.values, item.description.values if item.description
                         else None, item.topic, item.target_groups, item.languages, item.url,
                         item.actors, transparent]),
            self.now)
        self.items[id(component)] = item
        add = component.append
        add(("DTSTAMP", {}, stamp.last_modified))
        add(("LAST-MODIFIED", {}, stamp.last_modified))
        add(("SEQUENCE", {}, max(stamp.sequence, _source_sequence(item))))
        add(("SUMMARY", {}, texts["summary"]))
        if texts["description"]:
            add(("DESCRIPTION", {}, texts["description"]))
        if location:
            add(("LOCATION", {}, location))
        if item.geo is not None:
            add(("GEO", {}, (item.geo.lat, item.geo.lon)))
        categories = self._categories(item)
        if categories:
            add(("CATEGORIES", {}, categories))
        organiser_id = item.provider if isinstance(item, Offer) else item.organisers[0]
        organiser = network.actors.get(organiser_id)
        url = item.url or (organiser.contact.website if organiser else None)
        if url:
            add(("URL", {"VALUE": "URI"}, url))
        email = (organiser.contact.email if organiser else None) or \
            f"noreply@{network.config.id_namespace}"
        add(("ORGANIZER", {"CN": organiser.name if organiser else organiser_id},
             f"mailto:{email}"))
        add(("STATUS", {}, status.value.upper()))
        if transparent:
            add(("TRANSP", {}, "TRANSPARENT"))

    def _categories(self, item: Item) -> list[str]:
        if item.topic is None:
            return []
        labels = self._labels.get(item.topic)
        if labels is None:
            labels = self._labels[item.topic] = []
            for topic_id in reversed(self.network.topic_ancestors(item.topic)):
                topic = self.network.topics.get(topic_id)
                labels.append(topic.label.get(self.language, self.fallback) if topic
                              else topic_id)
        return labels


def _visible(full: Network, view: Network, items: Iterable[Item]) -> list[Item]:
    """``items`` as ``view`` holds them (contact data stripped), those it hides left out;
    items that are not the network's own (made by the caller) only if their visibility
    lets the audience see them."""
    found: list[Item] = []
    for item in items:
        kept = view.offers.get(item.id) if isinstance(item, Offer) else view.events.get(item.id)
        if kept is not None:
            found.append(kept if view is not full else item)
        elif item.id not in full.offers and item.id not in full.events and \
                item.visibility.visible_to(view.audience):
            found.append(item)
    return found


def _source_sequence(item: Item) -> int:
    """The SEQUENCE of the partner's VEVENT an imported event came from (0 if none): the
    export never goes below it, so that subscribers order the partner's updates right."""
    value = item.extra.get("sequence")
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _as_date(value: DateOrDateTime) -> date:
    return value.date() if isinstance(value, datetime) else value
