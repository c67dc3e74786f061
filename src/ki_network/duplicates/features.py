"""Per-offer matching keys, computed once, and the column table the matcher works on.

Every offer is normalised exactly once into an :class:`OfferKey` (normalised title variants,
codes for provider, topic, municipality, contact, schedule summary, veto features).  A
:class:`Features` table holds the keys of many offers as numpy columns, so that signals score
millions of candidate pairs with array operations instead of a Python loop per pair.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from ..model import DateOrDateTime, Offer, Schedule
from . import normalize as nz

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

NONE = -1
FAR_FUTURE = date(9999, 12, 31).toordinal()
_DAY_CODES = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")
_UNTIL = re.compile(r"UNTIL=(\d{8})")


class Codes:
    """Integers for strings (providers, topics, phones …), shared by all tables of one matcher
    so that codes compare across tables.

    ``hashed`` codes are 63-bit string hashes: no table to grow and keep for a million phone
    numbers and addresses.  Two different strings share a hash with a probability of about
    n²/2⁶⁴ (10⁻⁷ for a million values).  Unhashed codes count up from 0; they index bit masks.
    """

    def __init__(self, hashed: bool = False) -> None:
        self._codes: dict[str, int] = {}
        self.hashed = hashed

    def __call__(self, value: str | None) -> int:
        if value is None:
            return NONE
        if self.hashed:
            return hash(value) & 0x7FFF_FFFF_FFFF_FFFF
        code = self._codes.get(value)
        if code is None:
            code = self._codes[value] = len(self._codes)
        return code

    def __len__(self) -> int:
        return len(self._codes)


def _hashed() -> Codes:
    return Codes(hashed=True)


@attrs.define
class Vocab:
    """The code books of one matcher (see :class:`Codes`)."""

    provider: Codes = attrs.field(factory=_hashed)
    topic: Codes = attrs.field(factory=_hashed)
    municipality: Codes = attrs.field(factory=_hashed)
    contact: Codes = attrs.field(factory=_hashed)  # phones, e-mails and domains share one book
    street: Codes = attrs.field(factory=_hashed)
    group: Codes = attrs.field(factory=_hashed)
    target_group: Codes = attrs.field(factory=Codes)
    language: Codes = attrs.field(factory=Codes)
    _bits: dict[tuple[int, tuple[str, ...]], int] = attrs.field(factory=dict)
    _chains: dict[str, tuple[str, str, str]] = attrs.field(factory=dict)

    def bits(self, values: tuple[str, ...], codes: Codes) -> int:
        """Bit mask of ``values`` (memoised: the same few combinations recur)."""
        key = (id(codes), values)
        mask = self._bits.get(key)
        if mask is None:
            mask = self._bits[key] = _bits(values, codes)
        return mask

    def topic_chain(self, topic: str | None,
                    ancestors: Callable[[str], Sequence[str]] | None
                    ) -> tuple[str | None, str | None, str | None]:
        """Topic, parent and family (root) of ``topic``."""
        if topic is None:
            return None, None, None
        chain = self._chains.get(topic)
        if chain is None:
            found = (list(ancestors(topic)) if ancestors
                     else [topic, *([topic.split(".")[0]] if "." in topic else [])])
            chain = self._chains[topic] = (found[0], found[1] if len(found) > 1 else found[0],
                                           found[-1])
        return chain


@attrs.frozen
class Slot:
    """When an offer happens, summarised: weekdays (bit mask, Monday = bit 0), a daily time
    window in minutes, and the first and last day (ordinals)."""

    days: int
    start: int
    end: int
    first: int
    last: int


@lru_cache(maxsize=4096)
def _rrule_days(rrule: str) -> tuple[int, date | None]:
    """Weekday mask (0 = the start's weekday) and UNTIL day of an RRULE (cached: few rules
    recur across many offers)."""
    parts = dict(p.split("=", 1) for p in rrule.upper().split(";") if "=" in p)
    days = 0
    if "BYDAY" in parts:
        for code in parts["BYDAY"].split(","):
            day = _DAY_CODES.get(code.strip().lstrip("+-0123456789"))
            if day is not None:
                days |= 1 << day
    elif parts.get("FREQ") == "DAILY":
        days = 0x7F
    until = _UNTIL.search(rrule.upper())
    if until is None:
        return days, None
    text = until.group(1)
    return days, date(int(text[:4]), int(text[4:6]), int(text[6:8]))


@lru_cache(maxsize=65_536)
def _slot(start: DateOrDateTime, end: DateOrDateTime | None, rrule: str | None,
          until: DateOrDateTime | None, rdates: tuple[DateOrDateTime, ...]) -> Slot:
    """:func:`schedule_slot` by the fields it reads (cached: many offers share a rhythm, and
    equal slots are then one object)."""
    return schedule_slot(Schedule(start, end, rrule, until, rdates=rdates))


def schedule_slot(schedule: Schedule) -> Slot:
    """Weekdays, time window and validity of one schedule, read from ``start``/``end`` and the
    RRULE's FREQ, BYDAY and UNTIL, without expanding occurrences.

    >>> s = Schedule(datetime(2026, 1, 13, 9, 30), datetime(2026, 1, 13, 11, 0),
    ...              rrule="FREQ=WEEKLY;BYDAY=TU,TH", until=date(2026, 7, 14))
    >>> slot = schedule_slot(s)
    >>> nz.weekday_text(slot.days), slot.start, slot.end, date.fromordinal(slot.last)
    ('Tu, Th', 570, 660, datetime.date(2026, 7, 14))
    """
    start = schedule.start
    first_day = start.date() if isinstance(start, datetime) else start
    days = 1 << first_day.weekday()
    last: date | None = None
    if schedule.rrule:
        rule_days, last = _rrule_days(schedule.rrule)
        days = rule_days or days
    for extra in schedule.rdates:
        days |= 1 << (extra.date() if isinstance(extra, datetime) else extra).weekday()
    if schedule.until is not None:
        until_day = schedule.until
        last = until_day.date() if isinstance(until_day, datetime) else until_day
    elif not schedule.recurring:
        end = schedule.end or start
        end_day = end.date() if isinstance(end, datetime) else end
        last = end_day if isinstance(end, datetime) else max(first_day, end_day - timedelta(1))
    if isinstance(start, datetime):
        minutes = start.hour * 60 + start.minute
        end_dt = schedule.end if isinstance(schedule.end, datetime) else None
        end_minutes = (end_dt.hour * 60 + end_dt.minute if end_dt and end_dt.date() == start.date()
                       else min(minutes + 60, 24 * 60))
        window = (minutes, max(end_minutes, minutes + 1))
    else:
        window = (0, 24 * 60)
    return Slot(days, window[0], window[1], first_day.toordinal(),
                last.toordinal() if last else FAR_FUTURE)


@attrs.define(slots=True)
class OfferKey:
    """Everything the matcher needs of one offer, normalised once."""

    id: str
    titles: tuple[str, ...]        # normalised title, one per translation
    description: str
    location: str
    street: int
    provider: int
    actors: tuple[str, ...]
    topic: int
    parent: int
    family: int
    municipality: int
    target_groups: int             # bit mask
    languages: int                 # bit mask
    title_languages: int           # bit mask of the title's translations
    phone: int
    email: int
    domain: int
    days: int
    days_from_schedule: bool
    start: int
    end: int
    first: int
    last: int
    slots: tuple[Slot, ...]
    levels: int                    # bit mask over A1 … C2
    group: int
    age_lo: int
    age_hi: int
    rare_tokens: tuple[int, ...] = ()


def _bits(values: Iterable[str], codes: Codes) -> int:
    mask = 0
    for value in values:
        mask |= 1 << (codes(value) % 62)  # more than 62 values share bits: rare, harmless
    return mask


@lru_cache(maxsize=4096)
def _slots_summary(slots: tuple[Slot, ...]) -> tuple[int, int, int, int, int]:
    days = 0
    for slot in slots:
        days |= slot.days
    return (days, min(s.start for s in slots), max(s.end for s in slots),
            min(s.first for s in slots), max(s.last for s in slots))


def offer_key(offer: Offer, vocab: Vocab,
              topic_ancestors: Callable[[str], Sequence[str]] | None = None,
              language: str = "de") -> OfferKey:
    """Normalise one offer.  ``topic_ancestors`` is usually :meth:`Network.topic_ancestors`;
    ``language`` is what a title without language key is written in."""
    values = offer.title.values
    if len(values) == 1:  # the common case, kept short: this runs once per offer
        titles: tuple[str, ...] = (nz.normalize_text(values[0][1]),)
        title_text = values[0][1]
    else:
        titles = tuple(dict.fromkeys(t for t in (nz.normalize_text(text)
                                                 for _, text in values) if t)) or ("",)
        title_text = offer.title.all_text()
    description = offer.description.get() if offer.description else ""
    topic, parent, family = vocab.topic_chain(offer.topic, topic_ancestors)
    contact = offer.contact
    phone = nz.phone_e164(contact.phone) if contact.phone else None
    website = contact.website or offer.url
    slots = tuple(_slot(s.start, s.end, s.rrule, s.until, s.rdates) for s in offer.schedule)
    found_levels, group, ages, named_days = nz.title_features(title_text)
    if description and ages is None:
        ages = nz.age_range(f"{title_text} {description[:200]}")
    valid_from = offer.valid_from.toordinal() if offer.valid_from else 0
    valid_to = offer.valid_to.toordinal() if offer.valid_to else FAR_FUTURE
    if slots:
        days, start, end, first, last = _slots_summary(slots)
        first, last = max(valid_from, first), min(valid_to, last)
    else:
        days, start, end = named_days, NONE, NONE
        first, last = valid_from, valid_to
    location = nz.normalize_address(offer.location) if offer.location else ""
    return OfferKey(
        id=offer.id, titles=titles,
        description=nz.normalize_text(description[:300]) if description else "",
        location=location,
        street=vocab.street(nz.street_key_of(location) if location else None),
        provider=vocab.provider(offer.provider), actors=offer.actors,
        topic=vocab.topic(topic), parent=vocab.topic(parent), family=vocab.topic(family),
        municipality=vocab.municipality(offer.municipality),
        target_groups=vocab.bits(offer.target_groups, vocab.target_group),
        languages=vocab.bits(offer.languages, vocab.language),
        title_languages=vocab.bits(tuple(lang or language for lang, _ in values),
                                   vocab.language),
        phone=vocab.contact(f"tel:{phone}" if phone else None),
        email=vocab.contact(f"mailto:{nz.email_key(contact.email)}" if contact.email else None),
        domain=vocab.contact(f"web:{d}" if website and (d := nz.web_domain(website)) else None),
        days=days, days_from_schedule=bool(slots), start=start, end=end, first=first, last=last,
        slots=slots,
        levels=sum(1 << _LEVELS.index(level) for level in found_levels),
        group=vocab.group(group), age_lo=ages[0] if ages else NONE,
        age_hi=ages[1] if ages else NONE)


def offer_keys(offers: Sequence[Offer], vocab: Vocab,
               topic_ancestors: Callable[[str], Sequence[str]] | None = None,
               language: str = "de") -> list[OfferKey]:
    """The keys of many offers, in order.

    One process on purpose: handing keys back from forked processes (pickling) cost more than
    computing them, measured at 100,000 offers.
    """
    return [offer_key(o, vocab, topic_ancestors, language) for o in offers]


def level_text(mask: int) -> str:
    return "/".join(level for bit, level in enumerate(_LEVELS) if mask >> bit & 1)


class Features:
    """The keys of many offers as columns.  Row ``i`` is ``keys[i]``."""

    def __init__(self, keys: Sequence[OfferKey]) -> None:
        self.keys = keys
        self.ids = [k.id for k in keys]

        def column(name: str, dtype: type = np.int32) -> npt.NDArray[Any]:
            return np.fromiter((getattr(k, name) for k in keys), dtype=dtype, count=len(keys))

        self.street = column("street", np.int64)
        self.provider = column("provider", np.int64)
        self.topic = column("topic", np.int64)
        self.parent = column("parent", np.int64)
        self.family = column("family", np.int64)
        self.municipality = column("municipality", np.int64)
        self.target_groups = column("target_groups", np.int64)
        self.languages = column("languages", np.int64)
        self.title_languages = column("title_languages", np.int64)
        self.phone = column("phone", np.int64)
        self.email = column("email", np.int64)
        self.domain = column("domain", np.int64)
        self.days = column("days")
        self.days_from_schedule = column("days_from_schedule", np.bool_)
        self.start = column("start")
        self.end = column("end")
        self.first = column("first")
        self.last = column("last")
        self.levels = column("levels")
        self.group = column("group", np.int64)
        self.age_lo = column("age_lo")
        self.age_hi = column("age_hi")
        self.partnered = np.fromiter((len(k.actors) > 1 for k in keys), np.bool_, len(keys))
        self.multi_title = np.fromiter((len(k.titles) > 1 for k in keys), np.bool_, len(keys))
        self.multi_slot = np.fromiter((len(k.slots) > 1 for k in keys), np.bool_, len(keys))
        self.title = [k.titles[0] for k in keys]
        # Up to two translations as columns, so that comparing across languages stays
        # vectorised; offers with more translations are compared one by one.
        self.title_array = np.asarray(self.title, dtype=object)
        self.title2_array = np.asarray([k.titles[1] if len(k.titles) > 1 else k.titles[0]
                                        for k in keys], dtype=object)
        self.title_squashed = np.asarray([t.replace(" ", "") for t in self.title], dtype=object)
        self.title2_squashed = np.asarray([t.replace(" ", "") for t in self.title2_array],
                                          dtype=object)
        self.many_titles = np.fromiter((len(k.titles) > 2 for k in keys), np.bool_, len(keys))

    def __len__(self) -> int:
        return len(self.keys)
