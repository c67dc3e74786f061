"""Schedule conflicts: overlaps that matter to the people an offer or event is for.

Rules (ids as in ``ki-network check`` and ``network.yaml``'s ``rules:``):

``schedule-conflict``
    two items for the same target group in the same municipality at the same time (the group
    ``everyone`` is left out: many things happen for everyone at once, and that is fine);
``location-double-booked``
    two items at the same place (location text normalised: case, punctuation, "Straße"/"Str.")
    at the same time;
``organiser-double-booked``
    an event's organiser, or the contact person named by an offer or event, at two different
    places (buildings: street and number) at once;
``holiday-collision``
    an item for pupils, parents, children, families or young people on a public holiday
    (warning) or in the school holidays (info), from the region plugin's closed days.

Only occurrences that block time count: cancelled and transparent ones do not, and all-day
items take part in ``holiday-collision`` only.  Overlaps are found with a sweep over the
occurrences sorted by start, keeping per key (municipality and group, place, actor) the
occurrences still running: the cost grows with the number of occurrences times the few that
run at the same time, never with all pairs.

The results are typed (:class:`Overlap`, :class:`HolidayCollision`) and carry no words:
:mod:`.wording` turns them into findings in the language asked for, the same for
``ki-network conflicts`` and ``ki-network check``.

>>> from ki_network.testing import tiny_network
>>> net = tiny_network()
>>> detect_conflicts(net, date(2026, 1, 1), date(2027, 1, 1))
[]
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..calendar.occurrences import occurrences
from ..calendar.series import Item, Occurrence
from ..model import ClosedDay, DateOrDateTime, Offer

if TYPE_CHECKING:
    from ..network import Network
from .conflict_kinds import (
    _EXAMPLES,
    HOLIDAY_COLLISION,
    LOCATION_DOUBLE_BOOKED,
    ORGANISER_DOUBLE_BOOKED,
    SCHEDULE_CONFLICT,
    Conflict,
    HolidayCollision,
    Overlap,
)

#: target groups that school holidays and public holidays concern (``target_groups`` setting
#: of ``holiday-collision`` replaces it)
HOLIDAY_GROUPS = frozenset({"pupils", "parents", "children", "families", "youth", "toddlers"})


Key = tuple[str, ...]


_STREET = re.compile(r"\b(stra(ss|ß)e|str)\b")


_NOT_WORD = re.compile(r"[^\w]+")


_STREET_NUMBER = re.compile(r"(\w+str|\w+weg|\w+platz|\w+allee|\w+ring|\w+gasse)\s+(\d+\w?)\b")


_PERSON = "person: "


def normalise_location(text: str | None) -> str:
    """A location text reduced to what identifies the place.

    >>> normalise_location("Pfarrheim St. Michael,  Kaiserstraße 5")
    'pfarrheim st michael kaiserstr 5'
    >>> normalise_location("pfarrheim st. michael, Kaiserstr. 5")
    'pfarrheim st michael kaiserstr 5'
    """
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("ß", "ss")
    folded = _STREET.sub("str", folded.replace("strasse", "str"))
    return _NOT_WORD.sub(" ", folded).strip()


def detect_conflicts(network: Network, start: DateOrDateTime, end: DateOrDateTime
                     ) -> list[Conflict]:
    """Conflicts among the network's offers and events with occurrences in ``[start, end)``.

    :return: conflicts sorted by rule, subjects and first time; rules switched off in
        ``network.yaml`` (``rules: {location-double-booked: false}``) are skipped.  Word them
        with :func:`ki_network.checks.find_conflicts` or :class:`.wording.Wording`.
    """
    return conflicts_in(network, occurrences(network, start, end))


def conflicts_in(network: Network, found: Sequence[Occurrence]) -> list[Conflict]:
    """Conflicts among ``found`` (sorted by start, as :func:`occurrences` returns them)."""
    flags: dict[int, bool] = {}  # per item: reading an item's data is slower than a dict
    busy = []
    for o in found:
        flag = flags.get(id(o.item))
        if flag is None:
            flag = flags[id(o.item)] = o.busy
        if flag:
            busy.append(o)
    timed = [o for o in busy if not o.all_day and o.end > o.start]
    settings = network.config.rule_settings
    rules = {rule: keys for rule, keys in ((SCHEDULE_CONFLICT, _group_keys),
                                          (LOCATION_DOUBLE_BOOKED, _place_keys),
                                          (ORGANISER_DOUBLE_BOOKED, _actor_keys))
             if settings(rule).get("enabled", True)}
    conflicts: list[Conflict] = list(_overlaps(timed, rules, network.config.tz))
    holiday = settings(HOLIDAY_COLLISION)
    if holiday.get("enabled", True):
        groups = frozenset(holiday.get("target_groups", HOLIDAY_GROUPS))
        conflicts.extend(_holidays(network, busy, groups))
    conflicts.sort(key=lambda c: (c.rule, c.subjects, c.first.isoformat()))
    return conflicts


def _group_keys(item: Item) -> list[Key]:
    if not item.municipality:
        return []
    return [(item.municipality, g) for g in item.target_groups if g != "everyone"]


def _place_keys(item: Item) -> list[Key]:
    place = normalise_location(item.location)
    return [(place,)] if place else []


def _actor_keys(item: Item) -> list[Key]:
    """Who would have to be there: an event's organisers, and a named contact person.

    An offer's provider is not meant: a provider with many staff (an adult education
    centre running courses in five towns) is not "in two places at once".
    """
    keys: list[Key] = [] if isinstance(item, Offer) else [(o,) for o in item.organisers]
    person = _NOT_WORD.sub(" ", (item.contact.person or "").casefold()).strip()
    if person:
        keys.append((_PERSON + person,))
    return keys


def place_of(text: str | None) -> str:
    """The building a location text names: its street and number if it has them.

    >>> place_of("VHS-Haus, Moltkestraße 34, 51643 Gummersbach, Raum 2")
    'moltkestr 34'
    >>> place_of("Moltkestr. 34, Gummersbach (VHS)"), place_of("Rathaus Wiehl")
    ('moltkestr 34', 'rathaus wiehl')
    """
    normalised = normalise_location(text)
    found = _STREET_NUMBER.search(normalised)
    return f"{found.group(1)} {found.group(2)}" if found else normalised


def _place(item: Item) -> str:
    return place_of(item.location) or (item.municipality or "")


def _overlaps(found: Iterable[Occurrence], rules: Mapping[str, Callable[[Item], list[Key]]],
              tz: ZoneInfo) -> list[Overlap]:
    """Pairs of series whose occurrences overlap under a shared key, by one sweep for all rules.

    Keys are prefixed with their rule.  ``running[key]`` holds the occurrences under ``key``
    that may still run; those that ended are dropped when the key is next visited.  An
    occurrence is compared only with those, so the cost is the number of occurrences times
    the few that run at the same time.
    """
    # Keys are numbered once per item: indexing a list by number is several times cheaper
    # than hashing a tuple key for each of a million lookups.
    numbers: dict[Key, int] = {}
    running: list[list[Occurrence] | None] = []
    keys_cache: dict[int, list[tuple[int, str, Key]]] = {}
    places: dict[int, str] = {}
    pairs: dict[tuple[str, str, str], _Pair] = {}
    for occurrence in found:
        item = occurrence.item
        keys = keys_cache.get(id(item))
        if keys is None:
            keys = []
            for rule, keys_of in rules.items():
                for key in keys_of(item):
                    number = numbers.setdefault((rule, *key), len(numbers))
                    if number == len(running):
                        running.append(None)
                    keys.append((number, rule, key))
            keys_cache[id(item)] = keys
            places[id(item)] = _place(item)
        start = occurrence.start
        hits: dict[tuple[str, int], tuple[Occurrence, list[Key]]] | None = None
        for number, rule, plain in keys:
            bucket = running[number]
            if bucket is None:
                running[number] = [occurrence]
                continue
            if len(bucket) == 1:
                if bucket[0].end <= start:
                    bucket[0] = occurrence  # the common case: the previous one is over
                    continue
            else:
                bucket[:] = [o for o in bucket if o.end > start]
            for other in bucket:
                if other.uid != occurrence.uid:
                    if hits is None:
                        hits = {}
                    hit = hits.get((rule, id(other)))
                    if hit is None:
                        hits[(rule, id(other))] = (other, [plain])
                    else:
                        hit[1].append(plain)
            bucket.append(occurrence)
        if hits is None:
            continue
        place = places[id(item)]
        for (rule, _), (other, shared) in hits.items():
            if other.item.id == item.id:
                continue
            if rule == ORGANISER_DOUBLE_BOOKED and (not place or places[id(other.item)] in (
                    "", place)):
                continue  # one place (or unknown): a joint appearance, not two places at once
            pair_key = ((rule, other.uid, occurrence.uid) if other.uid < occurrence.uid else
                        (rule, occurrence.uid, other.uid))
            pair = pairs.get(pair_key)
            if pair is None:
                pair = pairs[pair_key] = _Pair(rule, *sorted((other, occurrence),
                                                             key=lambda o: o.uid))
            pair.add(shared, other, occurrence)
    return [pair.result(tz) for pair in pairs.values()]


class _Pair:
    """Everything found about two overlapping series under one rule.

    Occurrences arrive in order of start, each pair of occurrences once, so the first ones
    seen are the first overlaps.
    """

    def __init__(self, rule: str, a: Occurrence, b: Occurrence) -> None:
        self.rule = rule
        self.a, self.b = a, b
        self.keys: set[Key] = set()
        self.count = 0
        self.times: list[tuple[datetime, datetime]] = []
        self.subjects: set[str] = set()

    def add(self, keys: list[Key], one: Occurrence, other: Occurrence) -> None:
        self.keys.update(keys)
        self.count += 1
        if len(self.times) < _EXAMPLES:
            first, second = (one, other) if one.uid == self.a.uid else (other, one)
            self.times.append((first.start, second.start))
        self.subjects.add(one.item.id)
        self.subjects.add(other.item.id)

    def result(self, tz: ZoneInfo) -> Overlap:
        a, b = self.a.item, self.b.item
        local = tuple((x.astimezone(tz), y.astimezone(tz)) for x, y in self.times)
        fields: dict[str, Any] = {}
        if self.rule == SCHEDULE_CONFLICT:
            fields.update(municipality=min(self.keys)[0],
                          target_groups=tuple(sorted({key[1] for key in self.keys})))
        elif self.rule == LOCATION_DOUBLE_BOOKED:
            fields.update(location=a.location or min(self.keys)[0])
        else:
            people = sorted(k[0].removeprefix(_PERSON) for k in self.keys
                            if k[0].startswith(_PERSON))
            actors = sorted(k[0] for k in self.keys if not k[0].startswith(_PERSON)) or \
                sorted({*a.actors[:1], *b.actors[:1]})
            fields.update(actors=tuple(actors), people=tuple(people))
        return Overlap(self.rule, a, b, (self.a.uid, self.b.uid), self.count, local,
                       tuple(sorted(self.subjects)), **fields)


def _closed_spans(network: Network, found: Sequence[Occurrence]
                  ) -> list[tuple[datetime, datetime, ClosedDay]]:
    """The region's closed days in the years of ``found``, as UTC spans sorted by start."""
    if not found:
        return []
    tz = network.config.tz
    first = found[0].start.astimezone(tz).year
    last = max(o.end for o in found).astimezone(tz).year
    spans = []
    for year in range(first, last + 1):
        for closed in network.closed_days(year):
            low = datetime.combine(closed.first, datetime.min.time()).replace(tzinfo=tz)
            high = datetime.combine(closed.last + timedelta(days=1), datetime.min.time())
            spans.append((low.astimezone(UTC), high.replace(tzinfo=tz).astimezone(UTC), closed))
    return sorted(set(spans), key=lambda span: (span[0], span[1], span[2].name))


def _holidays(network: Network, found: Sequence[Occurrence], groups: frozenset[str]
              ) -> list[HolidayCollision]:
    """Occurrences for ``groups`` that fall on closed days, compared as UTC spans.

    Comparing instants spares a time-zone conversion per occurrence; only the hits are
    turned into local dates for the evidence.
    """
    tz = network.config.tz
    spans = _closed_spans(network, found)
    starts = [span[0] for span in spans]
    longest = max((high - low for low, high, _ in spans), default=timedelta(0))
    hits: dict[tuple[str, ClosedDay], list[date]] = defaultdict(list)
    subjects: dict[tuple[str, ClosedDay], set[str]] = defaultdict(set)
    concerned: dict[int, bool] = {}
    items: dict[str, Item] = {}
    for occurrence in found:
        item = occurrence.item
        relevant = concerned.get(id(item))
        if relevant is None:
            relevant = concerned[id(item)] = bool(groups.intersection(item.target_groups))
        if not relevant:
            continue
        begin = occurrence.start
        finish = occurrence.end if occurrence.end > begin else begin + timedelta(microseconds=1)
        index = bisect.bisect_left(starts, finish) - 1
        while index >= 0 and spans[index][0] > begin - longest:
            low, high, closed = spans[index]
            index -= 1
            if high <= begin:
                continue
            day = max(begin, low).astimezone(tz).date()
            last = (min(finish, high) - timedelta(microseconds=1)).astimezone(tz).date()
            while day <= last:
                hits[(occurrence.uid, closed)].append(day)
                day += timedelta(days=1)
            subjects[(occurrence.uid, closed)].add(item.id)
            items[item.id] = item
    # One finding per series and public holiday (each is worth a look), but one per series for
    # all its school holidays together: a weekly group meets in most holidays of a year, and a
    # finding per holiday period buried the few that matter.
    grouped: dict[tuple[str, str], list[ClosedDay]] = defaultdict(list)
    for uid, closed_day in hits:
        key = closed_day.name if closed_day.kind == "public_holiday" else closed_day.kind
        grouped[(uid, f"{closed_day.kind}:{key}")].append(closed_day)
    collisions = []
    for (uid, _key), closed_days in grouped.items():
        closed_days.sort(key=lambda c: (c.first, c.name))
        days = sorted({d for c in closed_days for d in hits[(uid, c)]})
        item_ids = tuple(sorted({i for c in closed_days for i in subjects[(uid, c)]}))
        item = items[item_ids[0]]
        collisions.append(HolidayCollision(
            item_ids, uid, tuple(closed_days), tuple(days),
            tuple(sorted(groups.intersection(item.target_groups)))))
    return collisions
