"""duplicates/features.py: per-offer keys (offer_key), schedule summaries (schedule_slot), the
code books (Vocab, Codes) and the column table (Features)."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest

from ki_network import Contact, Offer, Schedule, Text
from ki_network.duplicates.features import (
    FAR_FUTURE,
    NONE,
    Codes,
    Features,
    Slot,
    Vocab,
    level_text,
    offer_key,
    offer_keys,
    schedule_slot,
)

GM = "05374012"
MO, TU, WE, TH, FR, SA, SU = (1 << d for d in range(7))


def day(value: date) -> int:
    return value.toordinal()


# -- schedule_slot ------------------------------------------------------------------------------


def test_weekly_with_byday_and_until() -> None:
    slot = schedule_slot(Schedule(datetime(2026, 1, 13, 9, 30), datetime(2026, 1, 13, 11),
                                  rrule="FREQ=WEEKLY;BYDAY=TU,TH", until=date(2026, 7, 14)))
    assert slot == Slot(TU | TH, 9 * 60 + 30, 11 * 60, day(date(2026, 1, 13)),
                        day(date(2026, 7, 14)))


def test_weekly_without_byday_recurs_on_the_start_weekday_for_ever() -> None:
    slot = schedule_slot(Schedule(datetime(2026, 3, 5, 10), rrule="FREQ=WEEKLY"))  # Thursday
    assert (slot.days, slot.last) == (TH, FAR_FUTURE)


def test_until_inside_the_rrule_ends_the_series() -> None:
    slot = schedule_slot(Schedule(datetime(2026, 3, 5, 10),
                                  rrule="FREQ=WEEKLY;UNTIL=20260601T000000Z"))
    assert slot.last == day(date(2026, 6, 1))


def test_daily_is_every_weekday_and_ordinal_byday_counts_its_weekday() -> None:
    assert schedule_slot(Schedule(datetime(2026, 3, 5, 10), rrule="FREQ=DAILY")).days == 0x7F
    monthly = Schedule(datetime(2026, 3, 2, 18), rrule="FREQ=MONTHLY;BYDAY=1MO,-1FR")
    assert schedule_slot(monthly).days == MO | FR


def test_extra_dates_add_their_weekdays() -> None:
    slot = schedule_slot(Schedule(datetime(2026, 3, 5, 10), rdates=(date(2026, 3, 9),)))
    assert slot.days == TH | MO


def test_all_day_single_and_multi_day() -> None:
    one = schedule_slot(Schedule(date(2026, 3, 5)))
    assert (one.days, one.start, one.end) == (TH, 0, 24 * 60)
    assert one.first == one.last == day(date(2026, 3, 5))
    # an all-day end is exclusive: 5 to 7 March is the 5th and the 6th
    two = schedule_slot(Schedule(date(2026, 3, 5), date(2026, 3, 7)))
    assert two.last == day(date(2026, 3, 6))


def test_a_time_without_end_takes_an_hour_but_not_past_midnight() -> None:
    assert schedule_slot(Schedule(datetime(2026, 3, 5, 10))).end == 11 * 60
    late = schedule_slot(Schedule(datetime(2026, 3, 5, 23, 30)))
    assert (late.start, late.end) == (23 * 60 + 30, 24 * 60)


def test_an_end_on_another_day_counts_as_an_hour() -> None:
    slot = schedule_slot(Schedule(datetime(2026, 3, 5, 20), datetime(2026, 3, 6, 2)))
    assert (slot.start, slot.end) == (20 * 60, 21 * 60)
    assert slot.last == day(date(2026, 3, 6))


# -- Codes and Vocab ---------------------------------------------------------------------------


def test_counted_codes_count_up_and_none_is_none() -> None:
    codes = Codes()
    assert [codes("a"), codes("b"), codes("a"), codes(None)] == [0, 1, 0, NONE]
    assert len(codes) == 2


def test_hashed_codes_agree_across_books_and_are_not_negative() -> None:
    one, other = Codes(hashed=True), Codes(hashed=True)
    assert one("caritas") == other("caritas") >= 0
    assert one("caritas") != one("awo")
    assert len(one) == 0  # nothing kept
    assert one(None) == NONE


def test_vocab_bits_are_a_mask_of_the_values() -> None:
    vocab = Vocab()
    both = vocab.bits(("de", "ar"), vocab.language)
    de = vocab.bits(("de",), vocab.language)
    ar = vocab.bits(("ar",), vocab.language)
    assert both == de | ar and de & ar == 0
    assert vocab.bits((), vocab.language) == 0


def test_topic_chain_with_and_without_ancestors() -> None:
    vocab = Vocab()
    assert vocab.topic_chain(None, None) == (None, None, None)
    assert vocab.topic_chain("language.informal", None) == ("language.informal", "language",
                                                            "language")
    assert vocab.topic_chain("language", None) == ("language", "language", "language")
    chain = {"cafe": ["cafe", "language.informal", "language"]}
    assert Vocab().topic_chain("cafe", chain.__getitem__) == ("cafe", "language.informal",
                                                              "language")


# -- offer_key ---------------------------------------------------------------------------------


@pytest.fixture
def vocab() -> Vocab:
    return Vocab()


def cafe(**fields: object) -> Offer:
    values: dict[str, object] = {
        "id": "cafe", "title": "Sprachcafé für Frauen", "provider": "caritas",
        "partners": ("awo",), "topic": "language.informal", "municipality": GM,
        "target_groups": ("women",), "languages": ("de", "ar"),
        "location": "Pfarrheim, Kaiser-Str. 5, 51643 Gummersbach",
        "contact": Contact(phone="02261 / 88-0", email="Cafe@Caritas.example",
                           website="https://www.caritas.example/cafe"),
        "schedule": [Schedule(datetime(2026, 1, 13, 9, 30), datetime(2026, 1, 13, 11),
                              rrule="FREQ=WEEKLY;BYDAY=TU", until=date(2026, 7, 14))]}
    values.update(fields)
    return Offer(**values)  # type: ignore[arg-type]


def test_weekly_offer_key(vocab: Vocab) -> None:
    key = offer_key(cafe(), vocab)
    assert key.id == "cafe"
    assert key.titles == (key.titles[0],) and "cafe" in key.titles[0]
    assert key.actors == ("caritas", "awo")
    assert key.provider == vocab.provider("caritas")
    assert (key.topic, key.parent, key.family) == (
        vocab.topic("language.informal"), vocab.topic("language"), vocab.topic("language"))
    assert key.municipality == vocab.municipality(GM)
    assert key.target_groups == vocab.bits(("women",), vocab.target_group)
    assert key.languages == vocab.bits(("de", "ar"), vocab.language)
    assert "kaiserstrasse 5" in key.location and key.street != NONE
    assert (key.days, key.start, key.end) == (TU, 570, 660)
    assert key.days_from_schedule
    assert (key.first, key.last) == (day(date(2026, 1, 13)), day(date(2026, 7, 14)))


def test_contact_spellings_give_the_same_codes(vocab: Vocab) -> None:
    one = offer_key(cafe(), vocab)
    other = offer_key(cafe(id="other", contact=Contact(
        phone="+49 2261 880", email="cafe@caritas.example", website="http://caritas.example")),
        vocab)
    assert one.phone == other.phone != NONE
    assert one.email == other.email != NONE
    assert one.domain == other.domain != NONE


def test_url_stands_in_for_a_missing_website(vocab: Vocab) -> None:
    with_url = offer_key(cafe(contact=Contact(), url="https://caritas.example/x"), vocab)
    without = offer_key(cafe(contact=Contact()), vocab)
    assert with_url.domain != NONE
    assert (without.phone, without.email, without.domain) == (NONE, NONE, NONE)


def test_offer_without_schedule_takes_days_from_title_and_validity(vocab: Vocab) -> None:
    key = offer_key(cafe(title="Deutschkurs A1-B1 Gruppe 2 montags", schedule=(),
                         valid_from=date(2026, 9, 1), valid_to=date(2027, 7, 1)), vocab)
    assert not key.days_from_schedule and key.slots == ()
    assert key.days == MO  # "montags"
    assert (key.start, key.end) == (NONE, NONE)
    assert (key.first, key.last) == (day(date(2026, 9, 1)), day(date(2027, 7, 1)))
    assert level_text(key.levels) == "A1/A2/B1"
    assert key.group != NONE


def test_bare_offer_has_open_validity_and_no_codes(vocab: Vocab) -> None:
    key = offer_key(Offer(id="x", title="Treff", provider="p"), vocab)
    assert (key.first, key.last) == (0, FAR_FUTURE)
    assert (key.topic, key.family, key.municipality, key.street) == (NONE, NONE, NONE, NONE)
    assert (key.days, key.levels, key.group, key.age_lo, key.age_hi) == (0, 0, NONE, NONE, NONE)
    assert key.location == key.description == ""


def test_validity_narrows_the_schedule(vocab: Vocab) -> None:
    key = offer_key(cafe(valid_from=date(2026, 3, 1), valid_to=date(2026, 5, 31)), vocab)
    assert (key.first, key.last) == (day(date(2026, 3, 1)), day(date(2026, 5, 31)))


def test_several_slots_are_summarised(vocab: Vocab) -> None:
    key = offer_key(cafe(schedule=[
        Schedule(datetime(2026, 1, 12, 9), datetime(2026, 1, 12, 10), rrule="FREQ=WEEKLY",
                 until=date(2026, 3, 30)),
        Schedule(datetime(2026, 1, 16, 15), datetime(2026, 1, 16, 17), rrule="FREQ=WEEKLY",
                 until=date(2026, 6, 26)),
    ]), vocab)
    assert len(key.slots) == 2
    assert (key.days, key.start, key.end) == (MO | FR, 9 * 60, 17 * 60)
    assert (key.first, key.last) == (day(date(2026, 1, 12)), day(date(2026, 6, 26)))


def test_multilingual_titles_are_one_key_each_and_mark_their_languages(vocab: Vocab) -> None:
    key = offer_key(cafe(title={"de": "Nähtreff", "en": "Sewing club", "fr": "Nähtreff"}),
                    vocab)
    assert len(key.titles) == 2  # the same text twice is kept once
    assert key.title_languages == vocab.bits(("de", "en", "fr"), vocab.language)
    # a title in a script the normaliser drops adds no key, but still marks its language
    script = offer_key(cafe(title={"de": "Nähtreff", "uk": "Швейний клуб"}), vocab)
    assert script.titles == ("naehtreff",)
    assert script.title_languages == vocab.bits(("de", "uk"), vocab.language)
    plain = offer_key(cafe(title="Nähtreff"), vocab, language="en")
    assert plain.title_languages == vocab.bits(("en",), vocab.language)


def test_ages_come_from_title_or_description(vocab: Vocab) -> None:
    key = offer_key(cafe(title="Hausaufgabenhilfe",
                         description=Text.of({"de": "Für Kinder von 6 bis 10 Jahren"})), vocab)
    assert (key.age_lo, key.age_hi) == (6, 10)


def test_offer_keys_keep_the_order(vocab: Vocab) -> None:
    offers = [cafe(id=f"o{i}") for i in range(3)]
    assert [k.id for k in offer_keys(offers, vocab)] == ["o0", "o1", "o2"]


# -- Features ----------------------------------------------------------------------------------


def test_features_are_columns_of_the_keys(vocab: Vocab) -> None:
    keys = [offer_key(cafe(), vocab),
            offer_key(cafe(id="two", title={"de": "Nähtreff", "en": "Sewing club"},
                           partners=(), schedule=[
                               Schedule(datetime(2026, 1, 12, 9), rrule="FREQ=WEEKLY"),
                               Schedule(datetime(2026, 1, 14, 9), rrule="FREQ=WEEKLY")]),
                      vocab),
            offer_key(Offer(id="bare", title="Treff", provider="p"), vocab)]
    f = Features(keys)
    assert len(f) == 3 and f.ids == ["cafe", "two", "bare"]
    assert f.provider.dtype == np.int64 and f.days.dtype == np.int32
    assert f.days.tolist() == [TU, MO | WE, 0]
    assert f.days_from_schedule.tolist() == [True, True, False]
    assert f.municipality.tolist() == [k.municipality for k in keys]
    assert f.partnered.tolist() == [True, False, False]
    assert f.multi_title.tolist() == [False, True, False]
    assert f.multi_slot.tolist() == [False, True, False]
    assert f.title == [k.titles[0] for k in keys]
    assert f.title2_array.tolist() == [keys[0].titles[0], keys[1].titles[1], "treff"]
    assert f.title_squashed.tolist() == [t.replace(" ", "") for t in f.title]
    assert f.many_titles.tolist() == [False, False, False]


def test_empty_features() -> None:
    f = Features([])
    assert len(f) == 0 and f.ids == [] and f.provider.size == 0
