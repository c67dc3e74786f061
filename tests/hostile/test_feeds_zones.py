"""Hostile feeds: VTIMEZONE rules that would keep the reader busy forever (issue #10, 4).

icalendar hands a feed's VTIMEZONE to dateutil, which expands its RRULE from DTSTART on every
conversion: ``FREQ=MINUTELY`` from 1601 never ends.  Such zones are refused before icalendar
sees them; times referring to them are read as local time, with a note.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from ki_network import load
from ki_network.calendar.ics_import.reader import read_ics
from ki_network.cli import main
from ki_network.testing import TINY, bare_plugin_manager, write_network

from ..conftest import time_limit

BUDGET = 5  # seconds; each case takes milliseconds once fixed




def unique(name: str) -> str:
    """A zone name no other test uses: icalendar keeps custom zones for the whole process, so
    a zone of the same name registered by an earlier test would answer for a refused one
    (see "Known limitation" in docs/security-feeds.md)."""
    return f"{name} {uuid.uuid4().hex[:8]}"


def zone_feed(rule: str, tzid: str = "Evil Zone") -> bytes:
    """A feed whose custom zone changes its offset by ``rule`` (both parts)."""
    return "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0",
        "BEGIN:VTIMEZONE", f"TZID:{tzid}",
        "BEGIN:STANDARD", "DTSTART:16010101T000000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
        f"RRULE:{rule}", "END:STANDARD",
        "BEGIN:DAYLIGHT", "DTSTART:16010101T000030", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
        f"RRULE:{rule}", "END:DAYLIGHT",
        "END:VTIMEZONE",
        "BEGIN:VEVENT", "UID:evil-1", f"DTSTART;TZID={tzid}:20260310T180000",
        "DURATION:PT1H", "SUMMARY:Elternabend", "END:VEVENT",
        "END:VCALENDAR", ""]).encode()


SUB_DAILY = ["FREQ=SECONDLY", "FREQ=MINUTELY", "FREQ=HOURLY", "FREQ=DAILY",
             "FREQ=WEEKLY;BYDAY=SU", "FREQ=MONTHLY;BYDAY=-1SU",
             "FREQ=YEARLY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23",
             "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1,2,3,4,5,6,7,8,9,10",
             "FREQ=YEARLY;BYSECOND=0,1,2,3,4,5,6,7,8,9;BYMINUTE=0,1,2,3,4,5"]


@pytest.mark.parametrize("rule", SUB_DAILY)
def test_zone_rule_recurring_more_than_twice_a_year_is_refused(rule: str) -> None:
    tzid = unique("Evil Zone")
    with time_limit(BUDGET):
        feed = read_ics(zone_feed(rule, tzid), actor="caritas", source="evil.ics")
    assert feed.vevents == 1
    assert [r["id"] for r in feed.records] == ["caritas-evil-1"]
    # the zone is not used: the time is taken as the network's local time, and said so
    assert feed.records[0]["start"] == "2026-03-10T18:00"
    messages = [n.message for n in feed.notes]
    assert any(m.startswith("VTIMEZONE refused: its STANDARD rule") and
               "changes the offset more than twice a year" in m for m in messages), messages
    assert any(f"unknown time zone {tzid!r}" in m for m in messages), messages


def test_a_real_custom_zone_still_resolves() -> None:
    """Outlook's usual custom zone (yearly rules from 1601) is read as before."""
    with time_limit(BUDGET):
        feed = read_ics(zone_feed("FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", tzid=unique("Outlook Zone")),
                        actor="caritas", source="ok.ics")
    assert not any("refused" in n.message for n in feed.notes)
    assert len(feed.records) == 1


def test_zone_hidden_inside_the_event_is_ignored() -> None:
    """icalendar registers every VTIMEZONE it parses for the whole process; one nested in a
    VEVENT (not allowed by RFC 5545) must not get there either."""
    tzid = unique("Nested Evil")
    nested = zone_feed("FREQ=SECONDLY", tzid=tzid).replace(
        b"BEGIN:VEVENT\r\nUID:evil-1\r\n",
        b"BEGIN:VEVENT\r\nUID:evil-1\r\nBEGIN:VTIMEZONE\r\nTZID:" + tzid.encode() + b"\r\n"
        b"BEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:+0200\r\n"
        b"TZOFFSETTO:+0100\r\nRRULE:FREQ=SECONDLY\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\n"
        b"DTSTART:16010101T000001\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
        b"RRULE:FREQ=SECONDLY\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n")
    with time_limit(BUDGET):
        feed = read_ics(nested, actor="caritas")
    assert len(feed.records) == 1
    assert any(n.message == "a VTIMEZONE inside the VEVENT ignored" for n in feed.notes)


def test_too_many_rdates_in_a_zone_are_refused() -> None:
    dates = ",".join(f"{2000 + i // 12:04d}{i % 12 + 1:02d}01T020000" for i in range(1200))
    text = zone_feed("FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", tzid=unique("Many Dates")).replace(
        b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:STANDARD",
        f"RDATE:{dates}\r\nEND:STANDARD".encode(), 1)
    with time_limit(BUDGET):
        feed = read_ics(text, actor="caritas")
    assert any("more than 1000 RDATEs" in n.message for n in feed.notes)
    assert len(feed.records) == 1


def test_ics_import_of_such_a_feed_finishes(tmp_path: Path) -> None:
    directory = write_network(tmp_path / "net")
    source = directory / "evil.ics"
    source.write_bytes(zone_feed("FREQ=MINUTELY", tzid=unique("Evil CLI")))
    with time_limit(3 * BUDGET):
        result = CliRunner().invoke(main, ["ics", "import", "--lang", "en",
                                           str(source), "--actor", "caritas",
                                           str(directory)])
    assert result.exit_code == 0, result.output
    assert "1 VEVENTs, 1 imported, 0 skipped" in result.stdout
    assert "VTIMEZONE refused" in result.stderr


def test_loading_a_network_with_such_a_live_feed_finishes(tmp_path: Path) -> None:
    actors = [dict(a) for a in TINY["actors.yaml"]]  # type: ignore[union-attr]
    actors[1]["calendar"] = "feeds/evil.ics"
    directory = write_network(tmp_path / "net", actors=actors)
    (directory / "feeds").mkdir()
    (directory / "feeds" / "evil.ics").write_bytes(
        zone_feed("FREQ=HOURLY", tzid=unique("Evil Live")))
    with time_limit(3 * BUDGET):
        net = load(directory, bare_plugin_manager())
    assert "caritas-evil-1" in net.events
