"""Content lines: folding and escaping hold for any text (property-based)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import icalendar
from hypothesis import given
from hypothesis import strategies as st

from ki_network.calendar.ics_export.contentlines import (
    fold,
    normalise_newlines,
    prop_line,
    to_component,
)

# any text a person may type: letters of every script, emoji, punctuation, line breaks
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x7f")
               | st.sampled_from("\n\r\\;,:\"'"), max_size=300)


@given(TEXT)
def test_text_survives_escaping_and_folding(text: str) -> None:
    raw = prop_line("DESCRIPTION", {}, text)
    assert raw.endswith(b"\r\n")
    physical = raw[:-2].split(b"\r\n")
    for n, line in enumerate(physical):
        assert len(line) <= 75
        line.decode("utf-8")  # never a split character
        assert n == 0 or line.startswith(b" ")
    assert b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")
    parsed = icalendar.Event.from_ical(b"BEGIN:VEVENT\r\n" + raw + b"END:VEVENT\r\n")
    assert str(parsed["DESCRIPTION"]) == normalise_newlines(text)


@given(st.text(max_size=200))
def test_fold_keeps_every_octet(text: str) -> None:
    line = text.replace("\r", "").replace("\n", "")
    folded = fold(line)
    # control characters (never in a value: #10, injection) are the one change: a space each
    expected = re.sub("[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]", " ", line)
    assert folded.replace(b"\r\n ", b"")[:-2] == expected.encode("utf-8", "surrogatepass")


def test_values_are_written_as_icalendar_writes_them() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    props = [("DTSTART", {}, datetime(2026, 3, 29, 2, 30, tzinfo=berlin)),
             ("DTEND", {}, date(2026, 3, 30)),
             ("DTSTAMP", {}, datetime(2026, 1, 1, tzinfo=UTC)),
             ("SEQUENCE", {}, 3),
             ("GEO", {}, (51.0266, 7.5647)),
             ("CATEGORIES", {}, ["Sprache, informell", "Schule; Eltern"]),
             ("ORGANIZER", {"CN": 'Caritas, "Oberberg" e.V.'}, "mailto:info@caritas.example"),
             ("RECURRENCE-ID", {"RANGE": "THISANDFUTURE"},
              datetime(2026, 5, 7, 18, tzinfo=berlin)),
             ("RRULE", {}, "FREQ=WEEKLY;UNTIL=20260714T215959Z;BYDAY=TU,TH"),
             ("URL", {"VALUE": "URI"}, "https://example.org/a,b;c")]
    ours = b"".join(prop_line(*p) for p in props).replace(b"\r\n ", b"").split(b"\r\n")
    # icalendar orders properties its own way; with sorted=True also the parameters, as we do
    theirs = to_component(props).to_ical(sorted=True).replace(b"\r\n ", b"").split(b"\r\n")
    assert sorted(ours[:-1]) == sorted(theirs[1:-2])
