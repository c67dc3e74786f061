"""Partner feeds kept exactly (#11): one small feed per defect the differential test found.

Each fixture in ``fixtures/`` is imported, exported and expanded as in
``test_differential.py``; unless noted, all readings must equal recurring-ical-events on the
original, and the import notes must say what was repaired.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import differential

FIXTURES = Path(__file__).parent / "fixtures"
WITH_JS = differential.node_ready()


def _run(name: str) -> dict:
    return differential.compare(name, (FIXTURES / name).read_bytes(), with_js=WITH_JS)


def _notes(result: dict) -> str:
    return "\n".join(str(n) for n in result["feed"].notes)


def _starts(spans: set) -> list[str]:
    return sorted(start for _, start, _ in spans)


@pytest.mark.parametrize("name", ["utc_weekly_across_dst.ics", "outlook_custom_zone.ics"])
def test_series_keep_their_instants_across_both_dst_changes(name: str) -> None:
    result = _run(name)
    assert result["diffs"] == {}
    starts = _starts(result["readings"]["export"])
    assert starts[0] == "2026-01-05T17:00:00Z" and starts[-1] >= "2027-12-20"
    instants = [datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) for s in starts]
    if name.startswith("utc"):
        assert {s[11:16] for s in starts} == {"17:00"}  # never 16:00Z: UTC has no summer time
    else:  # the custom zone has New York's rules: always 12:00 there, 16:00Z in summer
        new_york = ZoneInfo("America/New_York")
        assert {i.astimezone(new_york).strftime("%H:%M") for i in instants} == {"12:00"}
        assert {s[11:16] for s in starts} == {"16:00", "17:00"}
        assert "read as America/" in _notes(result)  # New York, or Detroit with its rules
    if WITH_JS:
        assert result["readings"]["icaljs"] == result["original"]


def test_count_with_until_is_bounded_by_until() -> None:
    # recurring-ical-events refuses the original (COUNT=-1 with UNTIL); ours and our export
    # must agree, end at UNTIL, and the export must carry it
    data = (FIXTURES / "count_with_until.ics").read_bytes()
    network, feed = differential.import_network(data, "count_with_until.ics")
    exported = differential.export(network)
    ours = differential.ours_spans(network)
    assert ours == differential.rie_spans(exported, differential.source_uids(network))
    assert _starts(ours)[-1] == "2026-03-02T09:00:00Z" and len(ours) == 8
    assert b"RRULE:FREQ=WEEKLY;UNTIL=20260302T090000Z\r\n" in exported
    assert any("COUNT=-1 is not a positive number" in str(n) for n in feed.notes)


def test_rdate_periods_keep_their_own_end() -> None:
    result = _run("rdate_periods.ics")
    assert result["diffs"] == {}
    spans = {(s, e) for _, s, e in result["readings"]["ours"]}
    assert ("2026-02-20T16:00:00Z", "2026-02-20T20:00:00Z") in spans
    assert ("2026-02-27T16:00:00Z", "2026-02-27T19:00:00Z") in spans


def test_every_rrule_counts() -> None:
    result = _run("two_rrules.ics")
    assert result["diffs"] == {}
    assert len(result["original"]) == 6


def test_a_stale_override_is_dropped() -> None:
    result = _run("stale_override.ics")
    ours = _starts(result["readings"]["ours"])
    assert "2026-03-17T16:00:00Z" not in ours  # the old series' override of 17 March
    assert "2026-01-20T15:00:00Z" in ours  # the override still valid
    assert len(ours) == 8
    skipped = [str(s) for s in result["feed"].skipped]
    assert any("lower SEQUENCE" in s for s in skipped)
    # recurring-ical-events keeps the stale override as an extra occurrence (RFC 5545 3.8.7.4)
    for side in result["diffs"].values():
        assert [s for _, s, _ in side["missing"]] == ["2026-03-17T16:00:00Z"]
        assert side["extra"] == []


def test_a_utc_exdate_on_a_floating_series_removes_its_occurrence() -> None:
    result = _run("utc_exdate_floating.ics")
    assert len(result["readings"]["ours"]) == 3
    assert "EXDATE in UTC on a floating series" in _notes(result)


def test_google_all_day_until_is_that_day() -> None:
    result = _run("google_allday_until.ics")
    assert result["diffs"] == {}
    assert _starts(result["readings"]["ours"]) == ["2026-06-01", "2026-06-08", "2026-06-15",
                                                   "2026-06-22"]


def test_all_day_override_of_a_timed_series_is_all_day() -> None:
    from ki_network.calendar.occurrences import occurrences
    from ki_network.testing import tiny_network

    net = tiny_network(offers=[], events=[
        {"id": "s", "title": "S", "organisers": ["ki"], "uid": "s@x", "start": "2026-03-02T10:00",
         "end": "2026-03-02T11:00", "rrule": "FREQ=WEEKLY;COUNT=3"},
        {"id": "o", "title": "O", "organisers": ["ki"], "uid": "s@x",
         "recurrence_id": "2026-03-09T10:00", "start": "2026-03-09", "end": "2026-03-10"}])
    found = occurrences(net, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    assert [o.all_day for o in found] == [False, True, False]


def test_import_notes_name_feed_line_and_uid(tmp_path: Path) -> None:
    """Every repair is one line a person can act on: feed, line, UID, what was done; the
    same in ``--format json``; and the repaired series round-trips through the data directory."""
    import json

    import yaml
    from click.testing import CliRunner

    from ki_network import load
    from ki_network.cli import main
    from ki_network.testing import bare_plugin_manager, write_network

    directory = write_network(tmp_path / "net")
    feed = directory / "count.ics"
    feed.write_bytes((FIXTURES / "count_with_until.ics").read_bytes()
                     + (FIXTURES / "utc_weekly_across_dst.ics").read_bytes())
    args = ["ics", "import", str(feed), "--actor", "caritas", str(directory)]
    result = CliRunner().invoke(main, [*args, "--dry-run", "--format", "json"])
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)["notes"]
    assert {"line": 4, "uid": "count-until@partner.example",
            "message": "RRULE COUNT=-1 is not a positive number: dropped, UNTIL bounds the "
                       "series"} in notes
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert ("count.ics:4: (UID count-until@partner.example) RRULE COUNT=-1 is not a positive "
            "number: dropped, UNTIL bounds the series") in result.stderr
    records = {r["uid"]: r for r in yaml.safe_load((directory / "events.yaml").read_text(
        encoding="utf-8")) if "uid" in r}
    assert records["utc-weekly@partner.example"]["start"] == "2026-01-05T17:00+00:00"
    net = load(directory, bare_plugin_manager())
    event = next(e for e in net.events.values() if e.uid == "utc-weekly@partner.example")
    assert event.schedule.start == datetime(2026, 1, 5, 17, tzinfo=UTC)


def test_the_data_directory_refuses_count_with_until() -> None:
    """No record can say COUNT and until at once, so no export drops one of them."""
    from ki_network import DataError
    from ki_network.testing import tiny_network

    with pytest.raises(DataError, match="either as 'until' or as COUNT"):
        tiny_network(offers=[], events=[
            {"id": "s", "title": "S", "organisers": ["ki"], "start": "2026-03-02T10:00",
             "rrule": "FREQ=WEEKLY;COUNT=3", "until": "2026-04-01"}])
