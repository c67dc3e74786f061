"""Schedule conflicts: overlaps that matter to the people an offer or event is for.

Rules (ids as in ``ki-network check`` and ``network.yaml``'s ``rules:``):

``schedule-conflict``
    two items for the same target group in the same municipality at the same time (the group
    ``everyone`` is left out: many things happen for everyone at once, and that is fine);
``location-double-booked``
    two items at the same place (location text normalised: case, punctuation, "Straße"/"Str.")
    at the same time;
``organiser-double-booked``
    an actor (an event's organiser, an offer's provider) at two different places at once;
``holiday-collision``
    an item for pupils, parents, children, families or young people on a public holiday
    (warning) or in the school holidays (info), from the region plugin's closed days.

Only occurrences that block time count: cancelled and transparent ones do not, and all-day
items take part in ``holiday-collision`` only.  Overlaps are found with a sweep over the
occurrences sorted by start, keeping per key (municipality and group, place, actor) the
occurrences still running: the cost grows with the number of occurrences times the few that
run at the same time, never with all pairs.

>>> from ki_network.testing import tiny_network
>>> net = tiny_network()
>>> find_conflicts(net, date(2026, 1, 1), date(2027, 1, 1))
[]
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..model import ClosedDay, DateOrDateTime, Finding, Offer, Severity
from .occurrences import Item, Occurrence, occurrences

if TYPE_CHECKING:
    from ..network import Network

SCHEDULE_CONFLICT = "schedule-conflict"
LOCATION_DOUBLE_BOOKED = "location-double-booked"
ORGANISER_DOUBLE_BOOKED = "organiser-double-booked"
HOLIDAY_COLLISION = "holiday-collision"
RULE_IDS = (SCHEDULE_CONFLICT, LOCATION_DOUBLE_BOOKED, ORGANISER_DOUBLE_BOOKED, HOLIDAY_COLLISION)

#: target groups that school holidays and public holidays concern (``target_groups`` setting
#: of ``holiday-collision`` replaces it)
HOLIDAY_GROUPS = frozenset({"pupils", "parents", "children", "families", "youth", "toddlers"})
_EXAMPLES = 5
Key = tuple[str, ...]
_STREET = re.compile(r"\b(stra(ss|ß)e|str)\b")
_NOT_WORD = re.compile(r"[^\w]+")


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


def find_conflicts(network: Network, start: DateOrDateTime, end: DateOrDateTime
                   ) -> list[Finding]:
    """Conflicts among the network's offers and events with occurrences in ``[start, end)``.

    :return: findings sorted by rule and subjects; rules switched off in ``network.yaml``
        (``rules: {location-double-booked: false}``) are skipped.
    """
    return conflicts_in(network, occurrences(network, start, end))


def conflicts_in(network: Network, found: Sequence[Occurrence]) -> list[Finding]:
    """Conflicts among ``found`` (sorted by start, as :func:`occurrences` returns them)."""
    busy = [o for o in found if o.busy]
    timed = [o for o in busy if not o.all_day and o.end > o.start]
    findings: list[Finding] = []
    names = _Names(network)
    settings = network.config.rule_settings
    if settings(SCHEDULE_CONFLICT).get("enabled", True):
        findings.extend(_overlaps(timed, SCHEDULE_CONFLICT, _group_keys, names))
    if settings(LOCATION_DOUBLE_BOOKED).get("enabled", True):
        findings.extend(_overlaps(timed, LOCATION_DOUBLE_BOOKED, _place_keys, names))
    if settings(ORGANISER_DOUBLE_BOOKED).get("enabled", True):
        findings.extend(_overlaps(timed, ORGANISER_DOUBLE_BOOKED, _actor_keys, names))
    holiday = settings(HOLIDAY_COLLISION)
    if holiday.get("enabled", True):
        groups = frozenset(holiday.get("target_groups", HOLIDAY_GROUPS))
        findings.extend(_holidays(network, busy, groups, names))
    findings.sort(key=lambda f: (f.rule, f.subjects, str(f.evidence.get("first", ""))))
    return findings


# -- overlaps ----------------------------------------------------------------------------------


def _group_keys(item: Item) -> list[Key]:
    if not item.municipality:
        return []
    return [(item.municipality, g) for g in item.target_groups if g != "everyone"]


def _place_keys(item: Item) -> list[Key]:
    place = normalise_location(item.location)
    return [(place,)] if place else []


def _actor_keys(item: Item) -> list[Key]:
    return [(item.provider,)] if isinstance(item, Offer) else [(o,) for o in item.organisers]


def _place(item: Item) -> str:
    return normalise_location(item.location) or (item.municipality or "")


def _overlaps(found: Iterable[Occurrence], rule: str, keys_of: Callable[[Item], list[Key]],
              names: _Names) -> list[Finding]:
    """Pairs of series whose occurrences overlap under a shared key, by a sweep."""
    running: dict[Key, list[Occurrence]] = {}
    keys_cache: dict[int, list[Key]] = {}
    pairs: dict[tuple[str, str], _Pair] = {}
    for occurrence in found:
        item = occurrence.item
        keys = keys_cache.get(id(item))
        if keys is None:
            keys = keys_cache[id(item)] = keys_of(item)
        for key in keys:
            bucket = running.get(key)
            if bucket is None:
                running[key] = [occurrence]
                continue
            start = occurrence.start
            if bucket[0].end <= start or len(bucket) > 1:
                bucket[:] = [o for o in bucket if o.end > start]
            for other in bucket:
                if other.uid == occurrence.uid or other.item.id == item.id:
                    continue
                if rule == ORGANISER_DOUBLE_BOOKED and _place(other.item) in ("", _place(item)):
                    continue  # one place: a joint appearance, not being in two places
                if rule == ORGANISER_DOUBLE_BOOKED and not _place(item):
                    continue
                pair_key = (other.uid, occurrence.uid) if other.uid < occurrence.uid else \
                    (occurrence.uid, other.uid)
                pair = pairs.get(pair_key)
                if pair is None:
                    pair = pairs[pair_key] = _Pair(*sorted((other, occurrence),
                                                           key=lambda o: o.uid))
                pair.add(key, other, occurrence)
            bucket.append(occurrence)
    return [pair.finding(rule, names) for pair in pairs.values()]


class _Pair:
    """Everything found about two overlapping series under one rule."""

    def __init__(self, a: Occurrence, b: Occurrence) -> None:
        self.a, self.b = a, b
        self.keys: set[Key] = set()
        self.times: set[tuple[datetime, datetime]] = set()
        self.subjects: set[str] = set()

    def add(self, key: Key, one: Occurrence, other: Occurrence) -> None:
        self.keys.add(key)
        first, second = (one, other) if one.uid == self.a.uid else (other, one)
        self.times.add((first.start, second.start))
        self.subjects.update((one.item.id, other.item.id))

    def finding(self, rule: str, names: _Names) -> Finding:
        times = sorted(self.times)
        a, b = self.a.item, self.b.item
        count = len(times)
        when = names.local(max(times[0]))  # where the overlap begins
        evidence: dict[str, Any] = {
            "occurrences": count, "first": when,
            "times": [[names.local(x), names.local(y)] for x, y in times[:_EXAMPLES]],
            "series": [self.a.uid, self.b.uid]}
        both = f"'{names.title(a)}' ({names.actor(a)}) and '{names.title(b)}' ({names.actor(b)})"
        often = f"{count} time{'s' if count != 1 else ''}, first on {when}"
        if rule == SCHEDULE_CONFLICT:
            groups = sorted({key[1] for key in self.keys})
            municipality = min(self.keys)[0]
            evidence.update(municipality=municipality, target_groups=groups)
            people = ", ".join(names.group(g) for g in groups)
            message = (f"{both} are for the same people ({people}) in "
                       f"{names.municipality(municipality)} at the same time: {often}")
            suggestion = (f"{names.actor(a)} and {names.actor(b)} could agree on different "
                          f"times, or combine the two.")
        elif rule == LOCATION_DOUBLE_BOOKED:
            place = a.location or min(self.keys)[0]
            evidence.update(location=place)
            message = f"{both} are both at {place} at the same time: {often}"
            suggestion = "Check the room booking with both organisers."
        else:
            actors = sorted(key[0] for key in self.keys)
            evidence.update(actors=actors, locations=[a.location or a.municipality,
                                                      b.location or b.municipality])
            message = (f"{', '.join(names.actor_name(x) for x in actors)} would be at two "
                       f"places at once: {both}, {often}")
            suggestion = "Move one of them, or name who else runs it."
        return Finding(rule, Severity.WARNING, tuple(sorted(self.subjects)), message,
                       suggestion, evidence)


# -- holidays ----------------------------------------------------------------------------------


def _holidays(network: Network, found: Iterable[Occurrence], groups: frozenset[str],
              names: _Names) -> list[Finding]:
    tz = network.config.tz
    closed_cache: dict[date, list[ClosedDay]] = {}
    hits: dict[tuple[str, ClosedDay], list[date]] = defaultdict(list)
    subjects: dict[tuple[str, ClosedDay], set[str]] = defaultdict(set)
    concerned: dict[int, bool] = {}
    for occurrence in found:
        item = occurrence.item
        relevant = concerned.get(id(item))
        if relevant is None:
            relevant = concerned[id(item)] = bool(groups.intersection(item.target_groups))
        if not relevant:
            continue
        first = occurrence.start.astimezone(tz).date()
        last = (occurrence.end - timedelta(microseconds=1)).astimezone(tz).date() \
            if occurrence.end > occurrence.start else first
        day = first
        while day <= last:
            closed = closed_cache.get(day)
            if closed is None:
                closed = closed_cache[day] = network.closed_on(day)
            for closed_day in closed:
                hits[(occurrence.uid, closed_day)].append(day)
                subjects[(occurrence.uid, closed_day)].add(item.id)
            day += timedelta(days=1)
    findings = []
    for (uid, closed_day), all_days in hits.items():
        days = sorted(set(all_days))
        item_ids = tuple(sorted(subjects[(uid, closed_day)]))
        item = names.item(item_ids[0])
        public = closed_day.kind == "public_holiday"
        kind = "public holiday" if public else "school holidays"
        count = len(days)
        people = ", ".join(names.group(g) for g in sorted(groups.intersection(item.target_groups)))
        message = (f"'{names.title(item)}' for {people}"
                   f" takes place on {count} day{'s' if count != 1 else ''} of {closed_day.name}"
                   f" ({kind}), first on {days[0].isoformat()}")
        suggestion = ("Many families are away or busy then; consider moving or pausing it."
                      if public else "Check whether it should pause in the holidays, or say "
                      "that it runs on.")
        findings.append(Finding(
            HOLIDAY_COLLISION, Severity.WARNING if public else Severity.INFO, item_ids, message,
            suggestion, {"holiday": closed_day.name, "kind": closed_day.kind,
                         "holiday_first": closed_day.first.isoformat(),
                         "holiday_last": closed_day.last.isoformat(), "series": [uid],
                         "first": days[0].isoformat(), "occurrences": count,
                         "dates": [d.isoformat() for d in days[:_EXAMPLES]]}))
    return findings


class _Names:
    """How findings name things, in the network's language."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.language = network.config.language
        self.tz = network.config.tz

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")

    def title(self, item: Item) -> str:
        return item.title.get(self.language)

    def item(self, item_id: str) -> Item:
        return self.network.offers.get(item_id) or self.network.events[item_id]

    def actor(self, item: Item) -> str:
        return self.actor_name(item.provider if isinstance(item, Offer) else item.organisers[0])

    def actor_name(self, actor_id: str) -> str:
        actor = self.network.actors.get(actor_id)
        return actor.name if actor else actor_id

    def group(self, group_id: str) -> str:
        group = self.network.target_groups.get(group_id)
        return group.label.get(self.language) if group else group_id

    def municipality(self, ags: str) -> str:
        return self.network.municipality_name(ags)
