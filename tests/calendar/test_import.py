"""Reading partner feeds: what real clients write, and nothing lost without a reason."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from dateutil.rrule import rruleset, rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from ki_network.calendar.ics_import.reader import ImportedFeed, event_id, read_ics, unfold
from ki_network.datadir.build import ID_PATTERN, parse_time

BERLIN = ZoneInfo("Europe/Berlin")


def ics(*events: str, header: str = "", crlf: bool = True) -> bytes:
    """A calendar around ``events`` (each the lines inside one VEVENT)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    lines += [line for line in header.splitlines() if line]
    for event in events:
        lines += ["BEGIN:VEVENT", *[line.strip() for line in event.strip().splitlines()],
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n" if crlf else "\n").join([*lines, ""]).encode("utf-8")


def only(feed: ImportedFeed) -> dict[str, object]:
    assert feed.skipped == ()
    assert len(feed.records) == 1
    return dict(feed.records[0])


def notes(feed: ImportedFeed) -> str:
    return "\n".join(str(n) for n in feed.notes)


# -- what real clients write --------------------------------------------------------------


GOOGLE = ics("""
    UID:7kukuqrfedlm2f9t0vm8n7v5l4@google.com
    DTSTART:20260310T170000Z
    DTEND:20260310T183000Z
    RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20260630
    EXDATE:20260407T160000Z
    SUMMARY:Elternabend
    """, """
    UID:7kukuqrfedlm2f9t0vm8n7v5l4@google.com
    RECURRENCE-ID:20260414T160000Z
    DTSTART:20260415T160000Z
    DTEND:20260415T173000Z
    SUMMARY:Elternabend (Mittwoch)
    """, header="X-WR-CALNAME:Caritas\nX-WR-TIMEZONE:Europe/Berlin")


def test_google_x_wr_timezone_and_date_only_until() -> None:
    feed = read_ics(GOOGLE, actor="caritas")
    series, moved = (dict(r) for r in feed.records)
    assert series["start"] == "2026-03-10T18:00"  # 17:00 UTC is 18:00 in Berlin in March
    assert series["end"] == "2026-03-10T19:30"
    assert series["rrule"] == "FREQ=WEEKLY;BYDAY=TU"
    assert series["until"] == date(2026, 6, 30)  # Google's date-only UNTIL: through that day
    assert series["exdates"] == ["2026-04-07T18:00"]  # summer time: 16:00 UTC is 18:00
    assert moved["recurrence_id"] == "2026-04-14T18:00"
    assert moved["start"] == "2026-04-15T18:00"


def _expand_source(data: bytes, start: date, end: date) -> set[tuple[str, datetime]]:
    calendar = icalendar.Calendar.from_ical(data)
    return {(str(e["UID"]), e["DTSTART"].dt.astimezone(BERLIN).replace(tzinfo=None))
            for e in recurring_ical_events.of(calendar).between(start, end)}


def _expand_records(feed: ImportedFeed) -> set[tuple[str, datetime]]:
    """Occurrences of the imported records with dateutil — the model's reading of them."""
    found: dict[tuple[str, datetime], datetime] = {}
    for record in feed.records:
        if record.get("recurrence_id"):
            continue
        first = parse_time(record["start"])
        assert isinstance(first, datetime)
        rules = rruleset()
        if record.get("rrule"):
            rule = rrulestr(str(record["rrule"]), dtstart=first)
            until = record.get("until")
            if until is not None:
                limit = parse_time(until)
                if not isinstance(limit, datetime):
                    limit = datetime.combine(limit, datetime.max.time())  # type: ignore[arg-type]
                rule = rule.replace(until=limit)  # type: ignore[union-attr]
            rules.rrule(rule)  # type: ignore[arg-type]
        else:
            rules.rdate(first)
        for value in record.get("rdates", []):
            rules.rdate(parse_time(value))  # type: ignore[arg-type]
        for value in record.get("exdates", []):
            rules.exdate(parse_time(value))  # type: ignore[arg-type]
        for when in rules:
            found[(str(record["uid"]), when)] = when
    for record in feed.records:
        if record.get("recurrence_id"):
            rid = parse_time(record["recurrence_id"])
            found.pop((str(record["uid"]), rid), None)  # type: ignore[arg-type]
            found[(str(record["uid"]), parse_time(record["start"]))] = rid  # type: ignore[index,assignment]
    return set(found)


@pytest.mark.parametrize("name", ["google", "outlook"])
def test_occurrences_agree_with_recurring_ical_events(name: str) -> None:
    """The imported records describe the same occurrences as the feed, read independently."""
    data = {"google": GOOGLE, "outlook": OUTLOOK}[name]
    feed = read_ics(data, actor="caritas")
    assert feed.skipped == ()
    expected = _expand_source(data, date(2026, 1, 1), date(2027, 1, 1))
    assert len(expected) > 5
    if name == "google":
        # A deliberate difference: recurring-ical-events reads Google's date-only UNTIL as
        # midnight at the start of that day; we read it as the whole day, as the data model's
        # "until: 2026-06-30" means (and as Google shows the series).
        expected.add(("7kukuqrfedlm2f9t0vm8n7v5l4@google.com", datetime(2026, 6, 30, 18, 0)))
    assert _expand_records(feed) == expected


OUTLOOK = ics("""
    UID:040000008200E00074C5B7101A82E00800000000D0A5BF9E
    DTSTART;TZID=W. Europe Standard Time:20260302T093000
    DTEND;TZID=W. Europe Standard Time:20260302T110000
    RRULE:FREQ=WEEKLY;UNTIL=20260629T073000Z;INTERVAL=1;BYDAY=MO;WKST=MO
    EXDATE;TZID=W. Europe Standard Time:20260406T093000
    SUMMARY;LANGUAGE=de-DE:Sprachcafé
    CLASS:PUBLIC
    X-MICROSOFT-CDO-BUSYSTATUS:BUSY
    """)


def test_outlook_windows_zone_names() -> None:
    record = only(read_ics(OUTLOOK, actor="awo"))
    assert record["start"] == "2026-03-02T09:30"
    assert record["until"] == "2026-06-29T09:30"  # UTC UNTIL in Berlin summer time
    assert record["exdates"] == ["2026-04-06T09:30"]
    assert record["title"] == "Sprachcafé"


def test_outlook_display_name_without_vtimezone_is_read_by_its_cities() -> None:
    feed = read_ics(ics("""
        UID:1
        DTSTART;TZID="(UTC-05:00) Eastern Time (US & Canada), New York":20260701T100000
        SUMMARY:Call
        """), actor="awo", timezone="Europe/Berlin")
    assert only(feed)["start"] == "2026-07-01T16:00"
    assert "read as America/New_York" in notes(feed)


def test_unknown_zone_without_vtimezone_is_local_time_with_a_note() -> None:
    feed = read_ics(ics("UID:1\nDTSTART;TZID=Mars/Olympus:20260701T100000\nSUMMARY:x"),
                    actor="awo")
    assert only(feed)["start"] == "2026-07-01T10:00"
    assert "unknown time zone 'Mars/Olympus'" in notes(feed)


def test_custom_vtimezone_is_used() -> None:
    header = "\n".join([
        "BEGIN:VTIMEZONE", "TZID:Customized Time Zone", "BEGIN:STANDARD",
        "DTSTART:16010101T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "END:STANDARD", "BEGIN:DAYLIGHT",
        "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT", "END:VTIMEZONE"])
    feed = read_ics(ics("UID:1\nDTSTART;TZID=Customized Time Zone:20260701T100000\nSUMMARY:x",
                        header=header), actor="awo", timezone="Europe/London")
    assert only(feed)["start"] == "2026-07-01T09:00"


def test_byte_order_mark_and_lf_line_endings() -> None:
    data = b"\xef\xbb\xbf" + ics("UID:1\nDTSTART:20260701T100000\nSUMMARY:Fest", crlf=False)
    assert only(read_ics(data, actor="awo"))["title"] == "Fest"


def test_windows_1252_text_is_read_with_a_note() -> None:
    data = ics("UID:1\nDTSTART:20260701T100000\nSUMMARY:Stra\u00dfenfest").replace(
        "Straßenfest".encode(), "Straßenfest".encode("cp1252"))
    feed = read_ics(data, actor="awo")
    assert only(feed)["title"] == "Straßenfest"
    assert "read as Windows-1252" in notes(feed)


def test_folded_lines_and_escaped_text() -> None:
    data = (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART:20260701T100000\r\n"
            b"SUMMARY:Sprach\r\n caf\xc3\xa9\\, Treff\r\n"
            b"DESCRIPTION:Zeile 1\\nZeile 2\\; mit \\\\\r\n"
            b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    record = only(read_ics(data, actor="awo"))
    assert record["title"] == "Sprachcafé, Treff"
    assert record["description"] == "Zeile 1\nZeile 2; mit \\"


def test_several_calendars_in_one_file() -> None:
    data = ics("UID:1\nDTSTART:20260701T100000\nSUMMARY:a") + ics(
        "UID:2\nDTSTART:20260702T100000\nSUMMARY:b")
    feed = read_ics(data, actor="awo")
    assert [r["title"] for r in feed.records] == ["a", "b"]


def test_x_wr_timezone_applies_per_calendar() -> None:
    data = ics("UID:1\nDTSTART:20260701T100000Z\nSUMMARY:a",
               header="X-WR-TIMEZONE:America/New_York") + ics(
        "UID:2\nDTSTART:20260701T100000Z\nSUMMARY:b")
    starts = [r["start"] for r in read_ics(data, actor="awo").records]
    assert starts == ["2026-07-01T12:00", "2026-07-01T12:00"]  # the same instants either way


# -- broken input: repaired, or skipped with the reason --------------------------------------


def test_a_broken_event_does_not_cost_the_others() -> None:
    data = ics("UID:1\nDTSTART:20260701T100000\nSUMMARY:good",
               "UID:2\nDTSTART:2026-07-02\nSUMMARY:bad start",
               "UID:3\nSUMMARY:no start",
               "UID:4\nDTSTART:20260703T100000\nSUMMARY:good too")
    feed = read_ics(data, actor="awo", source="feeds/awo.ics")
    assert [r["uid"] for r in feed.records] == ["1", "4"]
    assert [(s.uid, s.reason.split(":")[0]) for s in feed.skipped] == [
        ("2", "DTSTART cannot be read"), ("3", "no DTSTART")]
    assert feed.vevents == 4
    assert str(feed.skipped[1]).startswith(f"{feed.skipped[1].line}: skipped VEVENT (UID 3, ")


def test_unclosed_calendar_and_stray_lines() -> None:
    data = (b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nDTSTART:20260701T100000\nSUMMARY:a\n"
            b"END:VEVENT\nX\nBEGIN:VEVENT\nUID:2\nDTSTART:20260702T100000\nSUMMARY:b\n")
    feed = read_ics(data, actor="awo")
    assert [r["uid"] for r in feed.records] == ["1", "2"]
    assert "not closed" in notes(feed)


def test_broken_optional_properties_are_left_out_with_a_note() -> None:
    feed = read_ics(ics("UID:1\nDTSTART:20260701T100000\nDTEND:tomorrow\nGEO:north\n"
                        "EXDATE:someday\nSUMMARY:x"), actor="awo")
    record = only(feed)
    assert "end" not in record
    assert "geo" not in record
    assert "exdates" not in record
    assert "DTEND" in notes(feed)
    assert "GEO" in notes(feed)


def test_rrule_that_dateutil_cannot_read_is_skipped_by_the_builder_check() -> None:
    feed = read_ics(ics("UID:1\nDTSTART:20260701T100000\nRRULE:FREQ=WEEKLY;BYDAY=TH;UNTL=2\n"
                        "SUMMARY:x"), actor="awo")
    assert feed.records == ()
    assert "malformed rrule" in feed.skipped[0].reason


def test_duplicate_uid_keeps_the_higher_sequence() -> None:
    feed = read_ics(ics("UID:1\nSEQUENCE:1\nDTSTART:20260701T100000\nSUMMARY:old",
                        "UID:1\nSEQUENCE:2\nDTSTART:20260701T110000\nSUMMARY:new"), actor="awo")
    assert [r["title"] for r in feed.records] == ["new"]
    assert "same UID and RECURRENCE-ID" in feed.skipped[0].reason


def test_no_summary_and_no_uid_are_imported_with_notes() -> None:
    feed = read_ics(ics("DTSTART:20260701T100000"), actor="awo")
    record = only(feed)
    assert record["title"] == "(no title)"
    assert "uid" not in record
    assert "no UID" in notes(feed)
    assert ID_PATTERN.match(str(record["id"]))


def test_until_before_start_leaves_the_first_occurrence() -> None:
    feed = read_ics(ics("UID:1\nDTSTART:20231002T100000\nRRULE:FREQ=DAILY;UNTIL=20231001\n"
                        "SUMMARY:x"), actor="awo")
    record = only(feed)
    assert "rrule" not in record
    assert "only its first occurrence" in notes(feed)


# -- mapping onto the model --------------------------------------------------------------


def test_fields_map_onto_the_event_model() -> None:
    feed = read_ics(ics("""
        UID:fest-2026
        DTSTART;VALUE=DATE:20260919
        DTEND;VALUE=DATE:20260921
        SUMMARY:Interkulturelles Fest
        DESCRIPTION:Mit Musik
        LOCATION:Marktplatz
        GEO:51.0266;7.5647
        URL:https://ki.example/fest
        STATUS:TENTATIVE
        CATEGORIES:Fest,Kultur
        TRANSP:TRANSPARENT
        RDATE;VALUE=DATE:20261003
        """), actor="ki", visibility="partners")
    record = only(feed)
    assert record == {
        "id": "ki-fest-2026", "title": "Interkulturelles Fest", "description": "Mit Musik",
        "organisers": ["ki"], "start": date(2026, 9, 19), "end": date(2026, 9, 21),
        "rdates": [date(2026, 10, 3)], "location": "Marktplatz",
        "geo": {"lat": 51.0266, "lon": 7.5647}, "url": "https://ki.example/fest",
        "status": "tentative", "visibility": "partners", "uid": "fest-2026",
        "categories": ["Fest", "Kultur"], "transp": "transparent"}


@pytest.mark.parametrize(("klass", "expected"), [
    ("PUBLIC", None), ("PRIVATE", "internal"), ("CONFIDENTIAL", "internal"),
    ("X-SECRET", "internal")])
def test_class_sets_visibility(klass: str, expected: str | None) -> None:
    record = only(read_ics(ics(f"UID:1\nDTSTART:20260701T100000\nCLASS:{klass}\nSUMMARY:x"),
                           actor="awo"))
    assert record.get("visibility") == expected


def test_duration_gives_the_end_and_cancelled_status() -> None:
    record = only(read_ics(ics("UID:1\nDTSTART;TZID=Europe/Berlin:20261025T013000\n"
                               "DURATION:PT2H\nSTATUS:CANCELLED\nSUMMARY:x"), actor="awo"))
    # Across the end of summer time: two hours later is 02:30 local wall-clock time.
    assert (record["start"], record["end"]) == ("2026-10-25T01:30", "2026-10-25T02:30")
    assert record["status"] == "cancelled"


def test_this_and_future_override() -> None:
    feed = read_ics(ics("UID:s\nDTSTART;TZID=Europe/Berlin:20260302T100000\n"
                        "RRULE:FREQ=WEEKLY\nSUMMARY:x",
                        "UID:s\nRECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:"
                        "20260316T100000\nDTSTART;TZID=Europe/Berlin:20260316T110000\n"
                        "SUMMARY:x later"), actor="awo")
    override = dict(feed.records[1])
    assert override["recurrence_id"] == "2026-03-16T10:00"
    assert override["this_and_future"] is True
    assert override["id"] == "awo-s-r20260316t1000"


def test_foreign_zone_series_keeps_its_zone_name() -> None:
    record = only(read_ics(ics("UID:1\nDTSTART;TZID=America/New_York:20260701T100000\n"
                               "RRULE:FREQ=WEEKLY\nSUMMARY:x"), actor="awo"))
    assert record["tzid"] == "America/New_York"


def test_ids_are_stable_valid_and_distinct() -> None:
    uids = ["A@x", "a@x", "a-x", "040000008200E00074C5B7101A82E008" * 3, "ü ß", "--"]
    ids = [event_id("awo", uid) for uid in uids]
    assert all(ID_PATTERN.match(i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert ids == [event_id("awo", uid) for uid in uids]
    assert event_id("awo", "x", date(2026, 1, 1)) == "awo-x-r20260101"


def test_records_carry_the_feed_line_as_origin() -> None:
    feed = read_ics(ics("UID:1\nDTSTART:20260701T100000\nSUMMARY:x"), actor="awo",
                    source="feeds/awo.ics")
    assert str(feed.records[0].origin) == "feeds/awo.ics:4"


def test_unfold_keeps_physical_line_numbers() -> None:
    assert unfold("A\r\n b\rC\n\n\tD") == [(1, "Ab"), (3, "CD")]


def test_nothing_is_lost_in_a_long_feed() -> None:
    events = [f"UID:{n}\nDTSTART:202607{n % 28 + 1:02d}T100000\nSUMMARY:e{n}" for n in range(300)]
    events[17] = "UID:17\nSUMMARY:no start"
    feed = read_ics(ics(*events), actor="awo")
    assert (len(feed.records), len(feed.skipped), feed.vevents) == (299, 1, 300)


# -- never a traceback, whatever the file --------------------------------------------------

_LINES = (GOOGLE + OUTLOOK).decode().split("\r\n")
_JUNK = st.sampled_from([
    "BEGIN:VEVENT", "END:VEVENT", "BEGIN:VCALENDAR", "END:VCALENDAR", "BEGIN:VALARM",
    "END:VTIMEZONE", "DTSTART:2026", "DTSTART;TZID=Nowhere:20260101T100000",
    "RRULE:FREQ=YEARLY;INTERVAL=99999999999", "RRULE:FREQ=DAILY;COUNT=-1", "EXDATE:x,y",
    "DURATION:-P1D", "RECURRENCE-ID:20260101", "UID:", " folded", "\ufeff", "X", ":", ";;",
    "GEO:1000;1000", "DTEND;VALUE=DATE:20260101", "CLASS:", "SEQUENCE:abc",
    "BEGIN:VTIMEZONE", "TZID:Nowhere", "TZOFFSETTO:+9999"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_LINES), _JUNK), max_size=60),
       st.sampled_from(["\r\n", "\n", "\r"]))
def test_any_jumble_of_lines_is_accounted_for(lines: list[str], newline: str) -> None:
    data = newline.join(lines).encode()
    feed = read_ics(data, actor="awo")
    unfolded = [line for _, line in unfold(data.decode())]
    assert feed.vevents == sum(1 for line in unfolded if line.strip().upper() == "BEGIN:VEVENT")
    assert len(feed.records) + len(feed.skipped) == feed.vevents


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    data = b"BEGIN:VCALENDAR\nBEGIN:VEVENT\n" + data
    feed = read_ics(data, actor="awo")
    text = data.decode("utf-8", errors="replace")
    counted = sum(1 for _, line in unfold(text) if line.strip().upper() == "BEGIN:VEVENT")
    assert len(feed.records) + len(feed.skipped) == feed.vevents
    if "\ufffd" not in text:  # undecodable bytes are read as Windows-1252 instead
        assert feed.vevents == counted
