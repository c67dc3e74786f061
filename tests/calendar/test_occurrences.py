"""Expansion of schedules into occurrences: rules, exceptions, overrides, DST, all-day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ki_network.calendar.occurrences import occurrences
from ki_network.calendar.series import Occurrence
from ki_network.calendar.zones import series_zone
from ki_network.model import EventStatus
from ki_network.network import Network
from ki_network.testing import tiny_network

BERLIN = ZoneInfo("Europe/Berlin")
YEAR = (date(2026, 1, 1), date(2027, 1, 1))


def _offer(schedule: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {"id": "kurs", "title": "Kurs", "provider": "caritas", "schedule": schedule, **fields}


def _event(event_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "title": event_id, "organisers": ["ki"], **fields}


def _net(offers: list[dict[str, Any]] | None = None,
         events: list[dict[str, Any]] | None = None) -> Network:
    return tiny_network(offers=offers or [], events=events or [])


def _local(found: list[Occurrence]) -> list[str]:
    return [o.start.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M") for o in found]


def _utc(found: list[Occurrence]) -> list[str]:
    return [o.start.strftime("%Y-%m-%dT%H:%MZ") for o in found]


def test_weekly_series_keeps_wall_clock_time_across_both_dst_switches() -> None:
    net = _net([_offer([{"start": "2026-03-17T09:30", "end": "2026-03-17T11:00",
                         "rrule": "FREQ=WEEKLY;BYDAY=TU", "until": "2026-11-03"}])])
    found = occurrences(net, *YEAR)
    assert {o.start.astimezone(BERLIN).time().isoformat() for o in found} == {"09:30:00"}
    by_day = {o.start.astimezone(BERLIN).date().isoformat(): o for o in found}
    assert by_day["2026-03-24"].start.hour == 8  # CET: UTC+1
    assert by_day["2026-03-31"].start.hour == 7  # CEST: UTC+2
    assert by_day["2026-10-20"].start.hour == 7
    assert by_day["2026-10-27"].start.hour == 8
    assert all((o.end - o.start).total_seconds() == 5400 for o in found)
    assert len(found) == 34  # 17 March .. 3 November, inclusive


def test_nonexistent_and_repeated_local_times_follow_rfc5545() -> None:
    net = _net([_offer([{"start": "2026-03-28T02:30", "end": "2026-03-28T03:00",
                         "rrule": "FREQ=DAILY;COUNT=3"},
                        {"start": "2026-10-24T02:30", "end": "2026-10-24T03:00",
                         "rrule": "FREQ=DAILY;COUNT=3"}])])
    # 2026-03-29 02:30 does not exist: the offset before the gap applies (= 03:30 CEST);
    # 2026-10-25 02:30 happens twice: the first one (still summer time) is meant.
    assert _utc(occurrences(net, *YEAR)) == [
        "2026-03-28T01:30Z", "2026-03-29T01:30Z", "2026-03-30T00:30Z",
        "2026-10-24T00:30Z", "2026-10-25T00:30Z", "2026-10-26T01:30Z"]


def test_until_is_inclusive_and_a_date_until_ends_with_that_day() -> None:
    net = _net([_offer([{"start": "2026-01-05T18:00", "rrule": "FREQ=WEEKLY",
                         "until": "2026-01-19"},
                        {"start": "2026-02-02T18:00", "rrule": "FREQ=WEEKLY",
                         "until": "2026-02-16T18:00"},
                        {"start": "2026-03-02T18:00",
                         "rrule": "FREQ=WEEKLY;UNTIL=20260316T170000Z"}])])
    assert _local(occurrences(net, *YEAR)) == [
        "2026-01-05 18:00", "2026-01-12 18:00", "2026-01-19 18:00",
        "2026-02-02 18:00", "2026-02-09 18:00", "2026-02-16 18:00",
        "2026-03-02 18:00", "2026-03-09 18:00", "2026-03-16 18:00"]


def test_exdates_rdates_and_dtstart_off_rule() -> None:
    net = _net([_offer([{"start": "2026-01-05T10:00", "end": "2026-01-05T11:00",
                         "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=4",
                         "exdates": ["2026-01-13", "2026-01-20T10:00",
                                     "2026-01-27T09:00:00Z"],
                         "rdates": ["2026-02-20T15:00", "2026-02-21"]}])])
    # DTSTART (a Monday) counts although the rule says Tuesday, as RFC 5545 and ical.js have
    # it; a date exdate removes that day's occurrence; an aware exdate matches by instant;
    # a date rdate of a timed series means that day at the start's time.
    assert _local(occurrences(net, *YEAR)) == [
        "2026-01-05 10:00", "2026-01-06 10:00", "2026-02-20 15:00", "2026-02-21 10:00"]


def test_offer_valid_to_ends_an_open_series() -> None:
    net = _net([_offer([{"start": "2026-11-30T10:00", "rrule": "FREQ=WEEKLY"}],
                       valid_to="2026-12-14")])
    assert _local(occurrences(net, *YEAR)) == [
        "2026-11-30 10:00", "2026-12-07 10:00", "2026-12-14 10:00"]


def test_aware_start_keeps_its_zone() -> None:
    net = _net([_offer([{"start": "2026-03-23T18:00:00+03:00", "end": "2026-03-23T19:00:00+03:00",
                         "rrule": "FREQ=WEEKLY;COUNT=2"}])])
    found = occurrences(net, *YEAR)
    # 15:00 UTC both times: Moscow time does not switch, Berlin does in between.
    assert _utc(found) == ["2026-03-23T15:00Z", "2026-03-30T15:00Z"]
    assert series_zone(datetime(2026, 1, 1, tzinfo=ZoneInfo("America/New_York")), BERLIN) \
        == ZoneInfo("America/New_York")
    assert series_zone(datetime(2026, 1, 1, tzinfo=UTC), BERLIN) is UTC


def test_all_day_items_are_whole_local_days_across_dst() -> None:
    net = _net(events=[_event("markt", start="2026-03-21", rrule="FREQ=WEEKLY;BYDAY=SA",
                              until="2026-04-04", exdates=["2026-03-28T00:00"]),
                       _event("ferien", start="2026-03-28", end="2026-03-31")])
    found = occurrences(net, *YEAR)
    assert [(o.uid.split("@")[0], o.recurrence_id, o.all_day) for o in found] == [
        ("event-markt", date(2026, 3, 21), True),
        ("event-ferien", date(2026, 3, 28), True),
        ("event-markt", date(2026, 4, 4), True)]
    ferien = found[1]
    assert ferien.start == datetime(2026, 3, 27, 23, tzinfo=UTC)  # midnight CET
    assert ferien.end == datetime(2026, 3, 30, 22, tzinfo=UTC)  # midnight CEST, 71 h later


SERIES = _event("abend", uid="abend@partner.example", start="2026-02-05T18:00",
                end="2026-02-05T19:30", rrule="FREQ=WEEKLY;BYDAY=TH", until="2026-03-26")


def test_overrides_move_cancel_and_shift_the_rest_of_a_series() -> None:
    net = _net(events=[
        SERIES,
        _event("abend-moved", uid="abend@partner.example", recurrence_id="2026-02-12T18:00",
               start="2026-02-13T17:00", end="2026-02-13T18:00", location="Mensa"),
        _event("abend-off", uid="abend@partner.example", recurrence_id="2026-02-19",
               start="2026-02-19T18:00", end="2026-02-19T19:30", status="cancelled"),
        _event("abend-later", uid="abend@partner.example", recurrence_id="2026-03-05T18:00",
               this_and_future=True, start="2026-03-05T19:00", end="2026-03-05T20:00"),
    ])
    found = occurrences(net, *YEAR)
    assert {o.uid for o in found} == {"event-abend@ki-network.invalid"}
    assert [(_local([o])[0], o.item.id, o.busy) for o in found] == [
        ("2026-02-05 18:00", "abend", True),
        ("2026-02-13 17:00", "abend-moved", True),
        ("2026-02-19 18:00", "abend-off", False),
        ("2026-02-26 18:00", "abend", True),
        ("2026-03-05 19:00", "abend-later", True),
        ("2026-03-12 19:00", "abend-later", True),
        ("2026-03-19 19:00", "abend-later", True),
        ("2026-03-26 19:00", "abend-later", True)]
    assert found[2].status is EventStatus.CANCELLED
    assert all((o.end - o.start).total_seconds() == 3600 for o in found[4:])
    assert found[1].recurrence_id == datetime(2026, 2, 12, 18, 0)


def test_an_override_moved_into_the_window_is_found() -> None:
    net = _net(events=[SERIES, _event(
        "abend-moved", uid="abend@partner.example", recurrence_id="2026-03-26T18:00",
        start="2026-04-02T18:00", end="2026-04-02T19:00")])
    found = occurrences(net, date(2026, 3, 30), date(2026, 4, 30))
    assert [(o.item.id, o.recurrence_id) for o in found] == [
        ("abend-moved", datetime(2026, 3, 26, 18, 0))]
    assert occurrences(net, date(2026, 3, 25), date(2026, 3, 28)) == []


def test_an_override_of_no_occurrence_is_kept_not_dropped() -> None:
    net = _net(events=[SERIES, _event(
        "extra", uid="abend@partner.example", recurrence_id="2026-02-10T18:00",
        start="2026-02-10T18:00", end="2026-02-10T19:00")])
    assert "extra" in {o.item.id for o in occurrences(net, *YEAR)}


def test_window_returns_occurrences_that_overlap_it() -> None:
    net = _net(events=[_event("lang", start="2026-05-01T22:00", end="2026-05-02T02:00"),
                       _event("punkt", start="2026-05-02T00:00")])
    assert [o.item.id for o in occurrences(net, date(2026, 5, 2), date(2026, 5, 3))] == [
        "lang", "punkt"]
    assert occurrences(net, date(2026, 5, 3), date(2026, 5, 4)) == []


def test_transparent_occurrences_do_not_block_time() -> None:
    net = _net(events=[_event("info", start="2026-05-02T10:00", end="2026-05-02T11:00",
                              transp="transparent")])
    (found,) = occurrences(net, *YEAR)
    assert found.transparent and not found.busy


@pytest.mark.parametrize("window", [(date(2026, 1, 1), date(2026, 2, 1)),
                                    (datetime(2026, 1, 13, 9, 45), datetime(2026, 1, 13, 9, 50)),
                                    (datetime(2026, 1, 13, 8, 45, tzinfo=UTC),
                                     datetime(2026, 1, 13, 8, 50, tzinfo=UTC))])
def test_window_bounds_may_be_dates_local_or_aware_times(window: tuple[Any, Any]) -> None:
    net = tiny_network()
    found = occurrences(net, *window)
    assert found and found[0].start == datetime(2026, 1, 13, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                                  "Asia/Kolkata", "Etc/GMT-3"])
def test_fast_utc_conversion_equals_zoneinfo_also_at_skipped_and_repeated_times(
        name: str) -> None:
    from ki_network.calendar.zones import _ToUTC, to_utc

    zone = ZoneInfo(name)
    convert = _ToUTC(zone, 2024, 2028)
    assert convert.fast
    local = datetime(2025, 1, 1)
    walked = []
    while local < datetime(2027, 12, 31):
        assert convert(local) == to_utc(local, zone), local
        walked.append(local)
        local += timedelta(minutes=15) if local.day > 20 else timedelta(hours=5)
    assert convert.many(walked) == [to_utc(local, zone) for local in walked]


def test_a_naive_series_with_tzid_recurs_in_that_zone() -> None:
    # As the importer writes a New York series: Berlin wall-clock times plus the source zone.
    # New York switches to summer time on 8 March 2026, Berlin only on 29 March.
    net = _net(events=[_event("ny", start="2026-03-02T00:00", end="2026-03-02T01:00",
                              rrule="FREQ=WEEKLY;COUNT=3", tzid="America/New_York")])
    assert _utc(occurrences(net, *YEAR)) == [
        "2026-03-01T23:00Z", "2026-03-08T22:00Z", "2026-03-15T22:00Z"]


def test_offer_valid_from_moves_the_start_of_a_series() -> None:
    net = _net([_offer([{"start": "2026-01-05T10:00", "end": "2026-01-05T11:00",
                         "rrule": "FREQ=WEEKLY;BYDAY=MO,TH", "until": "2026-02-12"}],
                       valid_from="2026-02-03")])
    found = occurrences(net, *YEAR)
    assert _local(found) == ["2026-02-05 10:00", "2026-02-09 10:00", "2026-02-12 10:00"]
    assert all((o.end - o.start).total_seconds() == 3600 for o in found)
