"""Every .ics file shipped in the icalendar and recurring-ical-events wheels goes through the
importer: no traceback, and every VEVENT accounted for (imported or skipped with a reason).

These ~260 files are the libraries' own collection of what real clients write, including
deliberately broken ones (fuzzing cases, missing END lines, invalid dates).

Counting rule, independent of the importer: a VEVENT is a line that reads ``BEGIN:VEVENT``
(ignoring case and surrounding blanks) after unfolding; lines end at CRLF, LF or a lone CR.
So an event that is never closed counts, an event nested in another component counts, and
text that merely mentions ``BEGIN:VEVENT`` inside a property value does not (unfolding keeps
it in its property line).  That is what a person counts when reading the file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events

from ki_network.calendar.ics_import.reader import read_ics
from ki_network.datadir.build import ID_PATTERN

ROOTS = [Path(icalendar.__file__).parent, Path(recurring_ical_events.__file__).parent]
FILES = sorted(path for root in ROOTS for path in root.rglob("*.ics"))


def _name(path: Path) -> str:
    for root in ROOTS:
        if path.is_relative_to(root):
            return f"{root.name}/{path.relative_to(root)}"
    return str(path)


def count_vevents(data: bytes) -> int:
    """Lines ``BEGIN:VEVENT`` after unfolding, counted on the raw bytes."""
    lines = re.split(rb"\r\n|\n|\r", data)
    logical: list[bytes] = []
    for line in lines:
        if line[:1] in (b" ", b"\t") and logical:
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return sum(1 for line in logical if line.strip().upper() == b"BEGIN:VEVENT")


def test_the_wheels_ship_the_expected_collection() -> None:
    assert len(FILES) >= 250


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_every_vevent_is_imported_or_reported(path: Path) -> None:
    data = path.read_bytes()
    expected = count_vevents(data)
    feed = read_ics(data, actor="partner", source=_name(path))
    assert len(feed.records) - feed.derived + len(feed.skipped) == expected
    assert feed.vevents == expected
    assert all(skipped.reason.strip() for skipped in feed.skipped)
    ids = [record["id"] for record in feed.records]
    assert all(ID_PATTERN.match(ident) for ident in ids)
    assert len(set(ids)) == len(ids)


def test_most_real_world_events_are_imported() -> None:
    """Guards against an importer that "accounts" for events by skipping them all."""
    total = imported = 0
    for path in FILES:
        data = path.read_bytes()
        total += count_vevents(data)
        imported += len(read_ics(data, actor="partner").records)
    assert total > 1000
    assert imported / total > 0.9


def test_all_imported_events_together_make_a_network_that_loads(tmp_path: Path) -> None:
    """Every imported record is valid for the loader, also side by side with the others."""
    from datetime import date

    from ki_network import load
    from ki_network.calendar.ics_import.merge import merge
    from ki_network.datadir.save import json_default
    from ki_network.testing import bare_plugin_manager, write_network

    write_network(tmp_path)
    items: list[object] = []
    kept = imported = 0
    for path in FILES:
        feed = read_ics(path.read_bytes(), actor="caritas", source=_name(path))
        report = merge(items, feed, feed_name=_name(path), today=date(2026, 11, 24))
        imported += len(feed.records)
        kept += len(report.kept)
        assert len(report.added) + len(report.kept) + len(report.unchanged) + len(
            report.updated) == len(feed.records)
    (tmp_path / "events.yaml").unlink()
    with (tmp_path / "events.jsonl").open("w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item, default=json_default) + "\n")
    net = load(tmp_path, bare_plugin_manager())
    assert len(net.events) == len(items) == imported - kept
