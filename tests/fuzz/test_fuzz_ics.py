"""Property-based fuzzing of the ICS importer (issue #10).

Feeds are generated from arbitrary content lines and parameters, with the properties and
values real clients write (times, durations, valid-looking RRULEs, VTIMEZONEs with their own
rules), folded and with any line ends.  For every feed:

* :func:`~ki_network.calendar.ics_import.reader.read_ics` raises nothing (its contract: every
  VEVENT is imported or listed as skipped), and accounts for every VEVENT;
* :func:`~ki_network.calendar.ics_import.sniff.not_a_calendar` says ``None`` or a reason;
* an import into a data directory leaves a network that loads (or refuses a mass removal
  with :class:`~ki_network.calendar.ics_import.merge.MassRemoval`, the documented error);
* each example stays within a time budget — a hang is a failure, not a stuck suite.

CI replays a bounded, fixed set (the ``ci`` profile of ``tests/conftest.py``); set
``KI_FUZZ_EXAMPLES=2000`` (or any number) for a longer run on demand.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ki_network import load
from ki_network.calendar.ics_import.merge import MassRemoval, merge_into
from ki_network.calendar.ics_import.reader import read_ics
from ki_network.calendar.ics_import.sniff import not_a_calendar
from ki_network.testing import bare_plugin_manager, write_network

from ..conftest import time_limit

EXAMPLES = int(os.environ.get("KI_FUZZ_EXAMPLES", "60"))
#: Seconds one feed may take to read (the slowest legitimate ones take a few hundredths).
BUDGET = 3.0
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])




# -- values ----------------------------------------------------------------------------------

years = st.integers(1, 9999) | st.integers(1900, 2100) | st.integers(2020, 2030)
ical_dates = st.builds(lambda y, m, d: f"{y:04d}{m:02d}{d:02d}", years, st.integers(0, 13),
                       st.integers(0, 32))
ical_times = st.builds(lambda d, h, mi, s, z: f"{d}T{h:02d}{mi:02d}{s:02d}{z}", ical_dates,
                       st.integers(0, 25), st.integers(0, 61), st.integers(0, 61),
                       st.sampled_from(["", "Z", "z", "+0100"]))
durations = st.builds(lambda sign, w, d, h, m: f"{sign}P{w}{d}T{h}{m}".rstrip("T"),
                      st.sampled_from(["", "-", "+"]),
                      st.sampled_from(["", "1W", "52W"]), st.sampled_from(["", "1D", "400D"]),
                      st.sampled_from(["", "1H", "25H"]), st.sampled_from(["", "30M", "0M"]))
weekdays = st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU", "XX"])
numbers = st.integers(-400, 400).map(str) | st.sampled_from(["0", "", "1000000000", "x"])


@st.composite
def rrules(draw: st.DrawFn) -> str:
    """Valid-looking recurrence rules, with every part RFC 5545 knows (and a few typos)."""
    parts = [f"FREQ={draw(st.sampled_from(['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY', 'FORTNIGHTLY', '']))}"]  # noqa: E501
    optional = {
        "INTERVAL": st.integers(-1, 10**6).map(str),
        "COUNT": st.integers(-1, 10**7).map(str),
        "UNTIL": ical_dates | ical_times,
        "BYDAY": st.lists(st.builds(lambda n, d: f"{n}{d}", st.sampled_from(
            ["", "1", "-1", "5", "+2", "53", "-54"]), weekdays), min_size=1, max_size=7).map(
            ",".join),
        "BYMONTH": st.lists(st.integers(-1, 13).map(str), min_size=1, max_size=12).map(
            ",".join),
        "BYMONTHDAY": st.lists(numbers, min_size=1, max_size=8).map(",".join),
        "BYYEARDAY": st.lists(numbers, min_size=1, max_size=5).map(",".join),
        "BYWEEKNO": st.lists(numbers, min_size=1, max_size=5).map(",".join),
        "BYHOUR": st.lists(st.integers(-1, 24).map(str), min_size=1, max_size=24).map(
            ",".join),
        "BYMINUTE": st.lists(st.integers(0, 60).map(str), min_size=1, max_size=8).map(
            ",".join),
        "BYSECOND": st.lists(st.integers(0, 61).map(str), min_size=1, max_size=8).map(
            ",".join),
        "BYSETPOS": st.lists(numbers, min_size=1, max_size=3).map(",".join),
        "WKST": weekdays,
        "RSCALE": st.just("GREGORIAN"),
        "UNTL": ical_dates,
    }
    parts += [f"{name}={draw(optional[name])}" for name in draw(
        st.lists(st.sampled_from(sorted(optional)), unique=True, max_size=6))]
    draw(st.randoms()).shuffle(parts)
    return ";".join(parts)


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
param_values = st.one_of(
    st.sampled_from(["Europe/Berlin", "W. Europe Standard Time", "Custom Zone", "Evil Zone",
                     "(UTC+01:00) Amsterdam, Berlin, Bern, Rom, Stockholm, Wien", "/Europe/Paris",
                     "DATE", "DATE-TIME", "PERIOD", "THISANDFUTURE", '"quoted;value"', ""]),
    texts.map(lambda t: t.replace("\n", " ").replace("\r", " ")))
param_names = st.sampled_from(["TZID", "VALUE", "RANGE", "LANGUAGE", "X-PARAM", "CN", "ALTREP"])
params = st.lists(st.builds(lambda n, v: f";{n}={v}", param_names, param_values), max_size=3
                  ).map("".join)
PROPERTY_VALUES = {
    "DTSTART": ical_dates | ical_times, "DTEND": ical_dates | ical_times,
    "DUE": ical_times, "DURATION": durations, "RRULE": rrules(),
    "EXDATE": st.lists(ical_dates | ical_times, min_size=1, max_size=3).map(",".join),
    "RDATE": st.lists(ical_dates | ical_times | st.builds(lambda a, b: f"{a}/{b}", ical_times,
                                                          durations | ical_times),
                      min_size=1, max_size=3).map(",".join),
    "RECURRENCE-ID": ical_dates | ical_times, "SUMMARY": texts, "DESCRIPTION": texts,
    "LOCATION": texts, "UID": texts | st.just("same@uid"), "URL": texts,
    "STATUS": st.sampled_from(["CONFIRMED", "CANCELLED", "TENTATIVE", "x"]),
    "CLASS": st.sampled_from(["PUBLIC", "PRIVATE", "CONFIDENTIAL", "X-SECRET"]),
    "GEO": st.builds(lambda a, b: f"{a};{b}", st.floats(allow_nan=True), st.floats()) | texts,
    "CATEGORIES": texts, "TRANSP": st.sampled_from(["OPAQUE", "TRANSPARENT", "x"]),
    "SEQUENCE": numbers, "LAST-MODIFIED": ical_times, "DTSTAMP": ical_times,
    "X-WR-TIMEZONE": param_values, "ATTENDEE": texts, "ORGANIZER": texts,
}
names = st.sampled_from(sorted(PROPERTY_VALUES)) | st.from_regex(r"\A[A-Z][A-Z-]{0,12}\Z")


@st.composite
def content_lines(draw: st.DrawFn) -> str:
    name = draw(names)
    value = draw(PROPERTY_VALUES.get(name, texts))
    return f"{name}{draw(params)}:{value}".replace("\r", " ").replace("\n", " ")


@st.composite
def vtimezones(draw: st.DrawFn) -> list[str]:
    tzid = draw(st.sampled_from(["Custom Zone", "Evil Zone", "Europe/Berlin"]))
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tzid}"]
    for kind in draw(st.lists(st.sampled_from(["STANDARD", "DAYLIGHT", "X-OTHER"]),
                              min_size=1, max_size=3)):
        lines += [f"BEGIN:{kind}", f"DTSTART:{draw(ical_times)}",
                  f"TZOFFSETFROM:{draw(st.sampled_from(['+0100', '+0200', '-0530', 'x']))}",
                  f"TZOFFSETTO:{draw(st.sampled_from(['+0100', '+0200', '+1400', '']))}"]
        if draw(st.booleans()):
            lines.append(f"RRULE:{draw(rrules())}")
        if draw(st.booleans()):
            lines.append(f"RDATE:{draw(st.lists(ical_times, max_size=3).map(','.join))}")
        lines.append(f"END:{kind}")
    lines.append("END:VTIMEZONE")
    return lines


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0"]
    lines += draw(st.lists(content_lines(), max_size=2))
    for _ in range(draw(st.integers(0, 2))):
        lines += draw(vtimezones())
    for _ in range(draw(st.integers(0, 4))):
        event = ["BEGIN:VEVENT", *draw(st.lists(content_lines(), max_size=12))]
        if draw(st.booleans()):
            event.insert(1, f"DTSTART;TZID={draw(param_values)}:{draw(ical_times)}")
        if draw(st.booleans()):
            event.append(draw(st.sampled_from(["BEGIN:VALARM", "BEGIN:VTIMEZONE", "END:VEVENT",
                                               "END:VALARM", "BEGIN:VEVENT"])))
        if draw(st.integers(0, 9)):
            event.append("END:VEVENT")
        lines += event
    if draw(st.integers(0, 9)):
        lines.append("END:VCALENDAR")
    text = draw(st.sampled_from(["\r\n", "\n", "\r"])).join(lines)
    if draw(st.booleans()):  # fold a long line somewhere
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + "\r\n " + text[cut:]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1"]))
    return text.encode(encoding, errors="replace")


def count_vevents(data: bytes) -> int:
    """Lines ``BEGIN:VEVENT`` after unfolding, counted on the raw bytes.

    As in tests/calendar/test_import_wheels.py, except that blank lines are skipped before
    unfolding, as the reader does (``test_unfold_keeps_physical_line_numbers``): a folded
    line after a blank line continues the line before the blank.
    """
    logical: list[bytes] = []
    for line in data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"):
        if line[:1] in (b" ", b"\t") and logical:
            logical[-1] += line[1:]
        elif line.strip():
            logical.append(line)
    return sum(1 for line in logical if line.strip().upper() == b"BEGIN:VEVENT")


# -- properties ------------------------------------------------------------------------------

ZONE_HANG = (b"BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Evil Zone\r\nBEGIN:STANDARD\r\n"
             b"DTSTART:16010101T000000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
             b"RRULE:FREQ=MINUTELY\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\n"
             b"DTSTART:16010101T000030\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
             b"RRULE:FREQ=MINUTELY\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\n"
             b"UID:1\r\nDTSTART;TZID=Evil Zone:20260310T180000\r\nSUMMARY:x\r\nEND:VEVENT\r\n"
             b"END:VCALENDAR\r\n")


@FUZZ
@given(data=feeds())
@example(data=ZONE_HANG)
@example(data=b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260101T100000\r\n"
              b"RRULE:FREQ=SECONDLY;COUNT=10000000\r\nEND:VEVENT\r\n")
def test_reading_any_feed_raises_nothing_and_stays_in_budget(data: bytes) -> None:
    started = time.monotonic()
    with time_limit(30):
        feed = read_ics(data, actor="caritas", source="fuzz.ics")
        reason = not_a_calendar(data)
    took = time.monotonic() - started
    assert took < BUDGET, f"{took:.1f} s"
    assert reason is None or isinstance(reason, str)
    assert feed.vevents == len(feed.records) + len(feed.skipped)
    assert feed.vevents == count_vevents(data)


@settings(FUZZ, max_examples=max(10, EXAMPLES // 4))
@given(first=feeds(), second=feeds())
def test_importing_any_feed_twice_leaves_a_network_that_loads(first: bytes,
                                                              second: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp, time_limit(60):
        directory = write_network(Path(tmp) / "net")
        for day, data in ((date(2026, 11, 1), first), (date(2026, 11, 8), second)):
            if not_a_calendar(data):
                continue  # refused before reading by every caller
            started = time.monotonic()
            feed = read_ics(data, actor="caritas", source="feeds/fuzz.ics")
            # MassRemoval is documented: the second feed lost most of the first one's events
            with contextlib.suppress(MassRemoval):
                merge_into(directory, feed, feed_name="feeds/fuzz.ics", today=day)
            assert time.monotonic() - started < 2 * BUDGET
        load(directory, bare_plugin_manager())  # never a DataError: records were checked
