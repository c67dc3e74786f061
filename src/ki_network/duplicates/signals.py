"""The built-in similarity signals and vetoes.

Each signal scores many candidate pairs at once (``scores(features, ia, ib)``: one similarity in
[0, 1] per pair, ``nan`` where it has nothing to say) and explains one pair in words a person can
check (``explain``).  Each also follows :class:`ki_network.contracts.DuplicateSignal`
(``compare(a, b, network)``), so it can be used on its own:

>>> from ki_network.model import Offer
>>> a = Offer(id="a", title="Dt.-Kurs A1 f. Frauen", provider="vhs")
>>> b = Offer(id="b", title="Deutschkurs für Frauen A1", provider="vhs")
>>> TITLE.compare(a, b, None)
(1.0, "'Dt.-Kurs A1 f. Frauen' ~ 'Deutschkurs für Frauen A1'")

A *veto* names a difference that makes two records two offers however alike they look
(course level, group number, age range, weekday, municipality, target groups, period).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cpdist

from ..model import Offer
from . import normalize as nz
from .features import (
    NONE,
    BoolArray,
    Features,
    FloatArray,
    IntArray,
    OfferKey,
    Slot,
    Vocab,
    level_text,
)
from .features import offer_key as make_key

if TYPE_CHECKING:
    from ..network import Network

NAN = np.nan


def _pick(values: list[str], index: IntArray) -> Any:
    return np.asarray(values, dtype=object)[index]


def text_similarity(a: str, b: str) -> float:
    """Similarity of two normalised texts in [0, 1]: the best of token-sorted comparison (word
    order), the compared letters without spaces ("Sprach Café" = "Sprachcafé"), and the mean of
    token-set and token-sort (one text a part of the other counts half)."""
    if not a or not b:
        return 0.0
    sort = fuzz.token_sort_ratio(a, b)
    return max(sort, fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")),
               (sort + fuzz.token_set_ratio(a, b)) / 2) / 100


def _text_scores(first: Any, second: Any, first_squashed: Any,
                 second_squashed: Any) -> FloatArray:
    """:func:`text_similarity` for many pairs at once (texts and their space-less forms)."""
    sort = cpdist(first, second, scorer=fuzz.token_sort_ratio, workers=-1, dtype=np.float32)
    plain = cpdist(first_squashed, second_squashed, scorer=fuzz.ratio, workers=-1,
                   dtype=np.float32)
    tset = cpdist(first, second, scorer=fuzz.token_set_ratio, workers=-1, dtype=np.float32)
    best: FloatArray = (np.maximum(np.maximum(sort, plain), (sort + tset) / 2) / 100).astype(
        np.float64)
    return best


def _pct(value: float) -> str:
    return f"{round(value * 100)}%"


@attrs.frozen
class BuiltinSignal:
    """A built-in signal: vectorised ``scores``, a per-pair ``explain``, and ``compare``."""

    name: str
    weight: float
    scores: Callable[[Features, IntArray, IntArray], FloatArray]
    explain: Callable[[Offer, Offer, OfferKey, OfferKey], str]
    text: bool = False  # compares text: costly, so only for pairs that could make a band

    def compare(self, a: Offer, b: Offer, network: Network | None) -> tuple[float, str] | None:
        """Score one pair (the :class:`~ki_network.contracts.DuplicateSignal` protocol)."""
        ancestors = network.topic_ancestors if network is not None else None
        vocab = Vocab()
        ka, kb = make_key(a, vocab, ancestors), make_key(b, vocab, ancestors)
        value = float(self.scores(Features([ka, kb]), np.array([0]), np.array([1]))[0])
        if np.isnan(value):
            return None
        return round(value, 4), self.explain(a, b, ka, kb)


# -- title and description ----------------------------------------------------------------


def _title_scores(f: Features, ia: IntArray, ib: IntArray) -> FloatArray:
    scores = _text_scores(f.title_array[ia], f.title_array[ib], f.title_squashed[ia],
                          f.title_squashed[ib])
    # Translations: the best agreement between any two of the titles' languages.
    multi = np.flatnonzero(f.multi_title[ia] | f.multi_title[ib])
    if len(multi):
        ma, mb = ia[multi], ib[multi]
        best = scores[multi]
        one = (f.title_array, f.title_squashed)
        two = (f.title2_array, f.title2_squashed)
        for x, y in ((one, two), (two, one), (two, two)):
            best = np.maximum(best, _text_scores(x[0][ma], y[0][mb], x[1][ma], y[1][mb]))
        scores[multi] = best
    for n in np.flatnonzero(f.many_titles[ia] | f.many_titles[ib]):
        ka, kb = f.keys[ia[n]], f.keys[ib[n]]
        scores[n] = max(text_similarity(x, y) for x in ka.titles for y in kb.titles)
    empty = np.asarray([not t for t in f.title], dtype=np.bool_)
    scores[empty[ia] | empty[ib]] = NAN
    return np.asarray(scores, dtype=np.float64)


def _best_titles(a: Offer, b: Offer, ka: OfferKey, kb: OfferKey) -> tuple[str, str, float]:
    best = ("", "", -1.0)
    for _, x in a.title.values:
        for _, y in b.title.values:
            score = text_similarity(nz.normalize_text(x), nz.normalize_text(y))
            if score > best[2]:
                best = (x, y, score)
    return best


def _title_explain(a: Offer, b: Offer, ka: OfferKey, kb: OfferKey) -> str:
    x, y, _ = _best_titles(a, b, ka, kb)
    return f"{x!r} ~ {y!r}"


def _description_scores(f: Features, ia: IntArray, ib: IntArray) -> FloatArray:
    descriptions = [k.description for k in f.keys]
    first, second = _pick(descriptions, ia), _pick(descriptions, ib)
    scores = cpdist(first, second, scorer=fuzz.token_set_ratio, workers=-1,
                    dtype=np.float32).astype(np.float64) / 100
    empty = np.asarray([not d for d in descriptions], dtype=np.bool_)
    scores[empty[ia] | empty[ib]] = NAN
    return np.asarray(scores, dtype=np.float64)


def _description_explain(a: Offer, b: Offer, ka: OfferKey, kb: OfferKey) -> str:
    def short(offer: Offer) -> str:
        text = offer.description.get() if offer.description else ""
        return text if len(text) <= 40 else text[:39] + "…"
    return f"{short(a)!r} ~ {short(b)!r}"


# -- who -----------------------------------------------------------------------------------


def _linked(f: Features, ia: IntArray, ib: IntArray) -> BoolArray:
    """The provider of one is a partner of the other (the KI entered the provider's offer)."""
    linked = np.zeros(len(ia), dtype=np.bool_)
    partnered = f.partnered
    for n in np.flatnonzero((partnered[ia] | partnered[ib]) & (f.provider[ia] != f.provider[ib])):
        ka, kb = f.keys[ia[n]], f.keys[ib[n]]
        linked[n] = bool(set(ka.actors) & set(kb.actors))
    return linked


def _provider_scores(f: Features, ia: IntArray, ib: IntArray) -> FloatArray:
    scores = (f.provider[ia] == f.provider[ib]).astype(np.float64)
    scores[_linked(f, ia, ib) & (scores == 0)] = 0.8
    return np.asarray(scores, dtype=np.float64)


def _provider_explain(a: Offer, b: Offer, ka: OfferKey, kb: OfferKey) -> str:
    if a.provider == b.provider:
        return a.provider
    shared = sorted(set(a.actors) & set(b.actors))
    if shared:
        return f"{a.provider} / {b.provider}, both with {', '.join(shared)}"
    return f"{a.provider} ≠ {b.provider}"


def _contact_scores(f: Features, ia: IntArray, ib: IntArray) -> FloatArray:
    scores = np.full(len(ia), NAN)
    for column, differ_value in ((f.domain, 0.2), (f.email, 0.0), (f.phone, 0.0)):
        a, b = column[ia], column[ib]
        both = (a != NONE) & (b != NONE)
        scores = np.where(both & np.isnan(scores), np.where(a == b, 0.6, differ_value), scores)
        if column is not f.domain:
            scores = np.where(both & (a == b), 1.0, scores)
    return np.asarray(scores, dtype=np.float64)


def _contact_explain(a: Offer, b: Offer, ka: OfferKey, kb: OfferKey) -> str:
    parts = []
    for label, x, y in (("phone", ka.phone, kb.phone), ("e-mail", ka.email, kb.email),
                        ("web", ka.domain, kb.domain)):
        raw_a, raw_b = _contact_raw(a, label), _contact_raw(b, label)
        if NONE not in (x, y):
            parts.append(f"{label} {raw_a}" if x == y else f"{label} {raw_a} ≠ {raw_b}")
    return "; ".join(parts)


def _contact_raw(offer: Offer, label: str) -> str:
    contact = offer.contact
    if label == "phone":
        return nz.phone_e164(contact.phone or "") or ""
    if label == "e-mail":
        return nz.email_key(contact.email or "")
    return nz.web_domain(contact.website or offer.url or "") or ""


# -- what, for whom ------------------------------------------------------------------------


def _topic_scores(f: Features, ia: IntArray, ib: IntArray) -> FloatArray:
    scores = np.where(f.topic[ia] == f.topic[ib], 1.0,
                      np.where(f.parent[ia] == f.parent[ib], 0.7,
                               np.where(f.family[ia] == f.family[ib], 0.4, 0.0)))
    scores[(f.topic[ia] == NONE) | (f.topic[ib] == NONE)] = NAN
    return np.asarray(scores, dtype=np.float64)


def _topic_explain(a: Offer, b: Offer, ka: OfferKey, kb: OfferKey) -> str:
    return a.topic or "" if a.topic == b.topic else f"{a.topic} / {b.topic}"


def _jaccard(x: Any, y: Any) -> FloatArray:
    union = np.bitwise_count(x | y).astype(np.float64)
    both = np.bitwise_count(x & y).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = both / union
    scores[(x == 0) | (y == 0)] = NAN
    return np.asarray(scores, dtype=np.float64)


def _set_explain(field: str) -> Callable[[Offer, Offer, OfferKey, OfferKey], str]:
    def explain(a: Offer, b: Offer, ka: OfferKey, kb: OfferKey) -> str:
        x, y = getattr(a, field), getattr(b, field)
        if set(x) == set(y):
            return ", ".join(x)
        return f"{', '.join(x)} / {', '.join(y)}"
    return explain


def _municipality_scores(f: Features, ia: IntArray, ib: IntArray) -> FloatArray:
    scores = (f.municipality[ia] == f.municipality[ib]).astype(np.float64)
    scores[(f.municipality[ia] == NONE) | (f.municipality[ib] == NONE)] = NAN
    return np.asarray(scores, dtype=np.float64)


def _municipality_explain(a: Offer, b: Offer, ka: OfferKey, kb: OfferKey) -> str:
    if a.municipality == b.municipality:
        return a.municipality or ""
    return f"{a.municipality} ≠ {b.municipality}"


def _location_scores(f: Features, ia: IntArray, ib: IntArray) -> FloatArray:
    locations = [k.location for k in f.keys]
    scores = cpdist(_pick(locations, ia), _pick(locations, ib), scorer=fuzz.token_set_ratio,
                    workers=-1, dtype=np.float32).astype(np.float64) / 100
    streets = (f.street[ia] != NONE) & (f.street[ib] != NONE)
    scores = np.where(streets & (f.street[ia] == f.street[ib]), 1.0,
                      np.where(streets, np.minimum(scores, 0.5), scores))
    empty = np.asarray([not loc for loc in locations], dtype=np.bool_)
    scores[empty[ia] | empty[ib]] = NAN
    return np.asarray(scores, dtype=np.float64)


def _location_explain(a: Offer, b: Offer, ka: OfferKey, kb: OfferKey) -> str:
    return a.location or "" if a.location == b.location else f"{a.location!r} ~ {b.location!r}"


# -- when ----------------------------------------------------------------------------------


def slot_similarity(x: Slot, y: Slot) -> float:
    """1 for the same weekdays and times (within 15 minutes), less for a partial overlap,
    0 when the weekdays or times do not meet."""
    if not x.days & y.days or x.first > y.last or y.first > x.last:
        return 0.0
    overlap = min(x.end, y.end) - max(x.start, y.start)
    if overlap <= 0:
        return 0.0
    if x.days == y.days and abs(x.start - y.start) <= 15 and abs(x.end - y.end) <= 15:
        return 1.0
    union = max(x.end, y.end) - min(x.start, y.start)
    return 0.5 + 0.4 * overlap / union


def _schedule_scores(f: Features, ia: IntArray, ib: IntArray) -> FloatArray:
    da, db = f.days[ia], f.days[ib]
    sa, sb, ea, eb = f.start[ia], f.start[ib], f.end[ia], f.end[ib]
    overlap = np.minimum(ea, eb) - np.maximum(sa, sb)
    union = np.maximum(np.maximum(ea, eb) - np.minimum(sa, sb), 1)
    same = (da == db) & (np.abs(sa - sb) <= 15) & (np.abs(ea - eb) <= 15)
    meet = ((da & db) != 0) & (overlap > 0)
    scores = np.where(same, 1.0, np.where(meet, 0.5 + 0.4 * overlap / union, 0.0))
    periods = (f.first[ia] <= f.last[ib]) & (f.first[ib] <= f.last[ia])
    scores = np.where(periods, scores, 0.0)
    for n in np.flatnonzero(f.multi_slot[ia] | f.multi_slot[ib]):
        ka, kb = f.keys[ia[n]], f.keys[ib[n]]
        if periods[n] and ka.slots and kb.slots:  # an offer without schedule has no slots
            scores[n] = max(slot_similarity(x, y) for x in ka.slots for y in kb.slots)
    scores[~(f.days_from_schedule[ia] & f.days_from_schedule[ib])] = NAN
    return np.asarray(scores, dtype=np.float64)


def _slot_text(key: OfferKey) -> str:
    def hm(minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    return "; ".join(f"{nz.weekday_text(s.days)} {hm(s.start)}–{hm(s.end)}" for s in key.slots)


def _schedule_explain(a: Offer, b: Offer, ka: OfferKey, kb: OfferKey) -> str:
    x, y = _slot_text(ka), _slot_text(kb)
    return x if x == y else f"{x} / {y}"


TITLE = BuiltinSignal("title", 3.0, _title_scores, _title_explain, text=True)
DESCRIPTION = BuiltinSignal("description", 0.5, _description_scores, _description_explain,
                            text=True)
PROVIDER = BuiltinSignal("provider", 1.5, _provider_scores, _provider_explain)
CONTACT = BuiltinSignal("contact", 1.5, _contact_scores, _contact_explain)
TOPIC = BuiltinSignal("topic", 1.0, _topic_scores, _topic_explain)
TARGET_GROUPS = BuiltinSignal(
    "target_groups", 1.0,
    lambda f, ia, ib: _jaccard(f.target_groups[ia], f.target_groups[ib]),
    _set_explain("target_groups"))
LANGUAGES = BuiltinSignal(
    "languages", 0.5, lambda f, ia, ib: _jaccard(f.languages[ia], f.languages[ib]),
    _set_explain("languages"))
MUNICIPALITY = BuiltinSignal("municipality", 1.0, _municipality_scores, _municipality_explain)
LOCATION = BuiltinSignal("location", 1.0, _location_scores, _location_explain, text=True)
SCHEDULE = BuiltinSignal("schedule", 1.5, _schedule_scores, _schedule_explain)

#: The built-in signals, in the order reasons list them.
BUILTIN_SIGNALS = (TITLE, PROVIDER, CONTACT, TOPIC, TARGET_GROUPS, LANGUAGES, MUNICIPALITY,
                   LOCATION, SCHEDULE, DESCRIPTION)


# -- vetoes --------------------------------------------------------------------------------


@attrs.frozen
class Veto:
    """A difference that makes two records two offers: ``conflicts`` per pair, ``explain``.

    ``overlap`` says whether the difference also rules out an *overlap* (a course at another
    level is not the same thing for the same people; another weekday is not the same time).
    """

    name: str
    conflicts: Callable[[Features, IntArray, IntArray], BoolArray]
    explain: Callable[[Offer, Offer, OfferKey, OfferKey], str]
    overlap: bool = True


def _both(column: Any, ia: IntArray, ib: IntArray) -> BoolArray:
    result: BoolArray = (column[ia] != NONE) & (column[ib] != NONE)
    return result


def _age_text(key: OfferKey) -> str:
    return f"{key.age_lo}+" if key.age_hi == 99 else f"{key.age_lo}–{key.age_hi}"


def _group_text(a: Offer) -> str:
    return nz.group_number(a.title.all_text()) or ""


VETOES = (
    Veto("level",
         lambda f, ia, ib: (f.levels[ia] != 0) & (f.levels[ib] != 0)
         & ((f.levels[ia] & f.levels[ib]) == 0),
         lambda a, b, ka, kb: f"{level_text(ka.levels)} ≠ {level_text(kb.levels)}"),
    Veto("group",
         lambda f, ia, ib: _both(f.group, ia, ib) & (f.group[ia] != f.group[ib]),
         lambda a, b, ka, kb: f"{_group_text(a)} ≠ {_group_text(b)}",
         overlap=False),  # two providers' group numbers have nothing to do with each other
    Veto("age",
         lambda f, ia, ib: _both(f.age_lo, ia, ib)
         & ((f.age_lo[ia] != f.age_lo[ib]) | (f.age_hi[ia] != f.age_hi[ib])),
         lambda a, b, ka, kb: f"{_age_text(ka)} ≠ {_age_text(kb)} years"),
    Veto("weekday",
         lambda f, ia, ib: (f.days[ia] != 0) & (f.days[ib] != 0) & ((f.days[ia] & f.days[ib]) == 0),
         lambda a, b, ka, kb: f"{nz.weekday_text(ka.days)} ≠ {nz.weekday_text(kb.days)}"),
    Veto("municipality",
         lambda f, ia, ib: _both(f.municipality, ia, ib)
         & (f.municipality[ia] != f.municipality[ib]),
         lambda a, b, ka, kb: f"{a.municipality} ≠ {b.municipality}"),
    Veto("target_groups",
         lambda f, ia, ib: (f.target_groups[ia] != 0) & (f.target_groups[ib] != 0)
         & ((f.target_groups[ia] & f.target_groups[ib]) == 0),
         lambda a, b, ka, kb: f"{', '.join(a.target_groups)} ≠ {', '.join(b.target_groups)}"),
    Veto("period",
         lambda f, ia, ib: (f.first[ia] > f.last[ib]) | (f.first[ib] > f.last[ia]),
         lambda a, b, ka, kb: "the periods do not meet"),
)
