"""Re-importing a feed into events.yaml: updates in place, no duplicates, removals marked,
hand edits kept, comments and order kept."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from ki_network import EventStatus, load
from ki_network.calendar.ics_import.merge import MergeError, fingerprint, merge_into
from ki_network.calendar.ics_import.reader import read_ics
from ki_network.testing import bare_plugin_manager, write_network

EVENTS_YAML = """\
# Events of the network, kept by hand.
- id: fest            # the big one
  title: Interkulturelles Fest
  organisers: [ki, verein]
  start: 2026-09-19T14:00
  end: 2026-09-19T18:00

# imported below
"""

DAY1, DAY2, DAY3 = date(2026, 11, 1), date(2026, 11, 8), date(2026, 11, 15)


def feed(*events: tuple[str, str, str]) -> bytes:
    """A feed with events (uid, local start yyyymmddThhmm, title) in Europe/Berlin."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0"]
    for uid, start, title in events:
        lines += ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTART;TZID=Europe/Berlin:{start}00",
                  "DURATION:PT1H30M", f"SUMMARY:{title}", "END:VEVENT"]
    return "\r\n".join([*lines, "END:VCALENDAR", ""]).encode()


@pytest.fixture
def network(tmp_path: Path) -> Path:
    write_network(tmp_path)
    (tmp_path / "events.yaml").write_text(EVENTS_YAML, encoding="utf-8")
    return tmp_path


def run(directory: Path, data: bytes, today: date, *, name: str = "feeds/caritas.ics",
        actor: str = "caritas"):
    return merge_into(directory, read_ics(data, actor=actor, source=name), feed_name=name,
                      today=today)


def records(directory: Path) -> list[dict[str, object]]:
    return yaml.safe_load((directory / "events.yaml").read_text(encoding="utf-8"))


def by_uid(directory: Path) -> dict[str, dict[str, object]]:
    return {str(r["uid"]): r for r in records(directory) if "uid" in r}


TWO = feed(("a@x", "20260310T1800", "Elternabend"), ("b@x", "20260312T1000", "Sprachcafé"))


def test_first_import_appends_and_keeps_the_file_as_written(network: Path) -> None:
    report = run(network, TWO, DAY1)
    text = (network / "events.yaml").read_text(encoding="utf-8")
    assert text.startswith(EVENTS_YAML.rstrip("\n"))  # comments, flow lists, spacing: as before
    assert len(report.added) == 2
    assert by_uid(network)["a@x"]["imported"] == {
        "feed": "feeds/caritas.ics", "hash": fingerprint(by_uid(network)["a@x"]),
        "updated": DAY1}
    net = load(network, bare_plugin_manager())
    assert {e.title.get() for e in net.events.values()} == {
        "Interkulturelles Fest", "Elternabend", "Sprachcafé"}


def test_reimport_of_an_unchanged_feed_writes_nothing(network: Path) -> None:
    run(network, TWO, DAY1)
    before = (network / "events.yaml").read_bytes()
    report = run(network, TWO, DAY2)
    assert (report.added, report.updated, len(report.unchanged)) == ((), (), 2)
    assert (network / "events.yaml").read_bytes() == before


def test_changed_event_is_updated_in_place_keeping_additions(network: Path) -> None:
    run(network, TWO, DAY1)
    path = network / "events.yaml"
    # A person classifies the imported event: fields the import does not own.
    text = path.read_text(encoding="utf-8").replace(
        "  title: Elternabend\n", "  title: Elternabend\n  topic: education.parents  # KI\n")
    path.write_text(text, encoding="utf-8")
    moved = feed(("a@x", "20260310T1900", "Elternabend"), ("b@x", "20260312T1000", "Sprachcafé"))
    report = run(network, moved, DAY2)
    assert len(report.updated) == 1
    record = by_uid(network)["a@x"]
    assert record["start"] == "2026-03-10T19:00"
    assert record["topic"] == "education.parents"
    assert record["imported"]["updated"] == DAY2  # type: ignore[index]
    assert "topic: education.parents  # KI" in path.read_text(encoding="utf-8")
    assert [r["id"] for r in records(network)][1:] == list(report.updated) + list(
        report.unchanged)  # same order as before


def test_office_365_new_uids_do_not_duplicate(network: Path) -> None:
    run(network, TWO, DAY1)
    ids = [r["id"] for r in records(network)]
    renamed = feed(("new-a@x", "20260310T1800", "Elternabend"),
                   ("new-b@x", "20260312T1000", "Sprachcafé"))
    report = run(network, renamed, DAY2)
    assert (report.added, report.removed, len(report.updated)) == ((), (), 2)
    assert [r["id"] for r in records(network)] == ids  # ids stay stable
    assert set(by_uid(network)) == {"new-a@x", "new-b@x"}
    # ... and the next import with the same new UIDs matches by UID again.
    assert len(run(network, renamed, DAY3).unchanged) == 2


def test_event_gone_from_the_feed_is_marked_removed_and_restored(network: Path) -> None:
    run(network, TWO, DAY1)
    report = run(network, feed(("a@x", "20260310T1800", "Elternabend")), DAY2)
    gone = by_uid(network)["b@x"]
    assert len(report.removed) == 1
    assert gone["status"] == "cancelled"
    assert gone["imported"]["removed"] == DAY2  # type: ignore[index]
    net = load(network, bare_plugin_manager())
    assert net.events[str(gone["id"])].status is EventStatus.CANCELLED
    # Gone twice is reported once.
    assert run(network, feed(("a@x", "20260310T1800", "Elternabend")), DAY3).removed == ()
    back = run(network, TWO, DAY3)
    assert back.restored == (gone["id"],)
    assert "status" not in by_uid(network)["b@x"]
    assert "removed" not in by_uid(network)["b@x"]["imported"]  # type: ignore[operator]


def test_hand_edit_is_not_overwritten(network: Path) -> None:
    run(network, TWO, DAY1)
    path = network / "events.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "start: 2026-03-10T18:00", "start: 2026-03-10T18:30"), encoding="utf-8")
    changed = feed(("a@x", "20260310T2000", "Elternabend!"), ("b@x", "20260312T1000", "Sprachcafé"))
    report = run(network, changed, DAY2)
    assert [ident for ident, _ in report.kept] == [by_uid(network)["a@x"]["id"]]
    assert "edited by hand" in report.kept[0][1]
    assert by_uid(network)["a@x"]["start"] == "2026-03-10T18:30"
    assert by_uid(network)["a@x"]["title"] == "Elternabend"


def test_local_true_is_kept_even_when_gone(network: Path) -> None:
    run(network, TWO, DAY1)
    path = network / "events.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  title: Sprachcafé\n", "  title: Sprachcafé\n  local: true\n"), encoding="utf-8")
    report = run(network, feed(("a@x", "20260310T1800", "Elternabend")), DAY2)
    assert report.removed == ()
    assert "local: true" in report.kept[0][1]
    assert "status" not in by_uid(network)["b@x"]


def test_other_feeds_and_hand_written_events_are_not_touched(network: Path) -> None:
    run(network, TWO, DAY1)
    report = run(network, feed(("c@x", "20260401T1000", "Beratung")), DAY2,
                 name="https://caritas.example/beratung.ics")
    assert (len(report.added), report.removed) == (1, ())
    assert records(network)[0] == {
        "id": "fest", "title": "Interkulturelles Fest", "organisers": ["ki", "verein"],
        "start": "2026-09-19T14:00", "end": "2026-09-19T18:00"}


def test_id_taken_by_a_hand_written_event_is_reported_not_duplicated(network: Path) -> None:
    path = network / "events.yaml"
    path.write_text(EVENTS_YAML + "- id: caritas-x\n  title: Mine\n  organisers: [caritas]\n"
                    "  start: 2026-03-01T10:00\n", encoding="utf-8")
    report = run(network, feed(("x", "20260310T1800", "Elternabend")), DAY1)
    assert report.added == ()
    assert report.kept[0][0] == "caritas-x"
    load(network, bare_plugin_manager())


def test_jsonl_events_file_is_rewritten(tmp_path: Path) -> None:
    write_network(tmp_path)
    (tmp_path / "events.yaml").unlink()
    (tmp_path / "events.jsonl").write_text(json.dumps(
        {"id": "fest", "title": "Fest", "organisers": ["ki"], "start": "2026-09-19T14:00"})
        + "\n", encoding="utf-8")
    report = run(tmp_path, TWO, DAY1)
    assert report.path.name == "events.jsonl"
    lines = (tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert json.loads(lines[1])["imported"]["updated"] == "2026-11-01"
    assert len(run(tmp_path, TWO, DAY2).unchanged) == 2
    assert len(load(tmp_path, bare_plugin_manager()).events) == 3


def test_events_file_that_is_not_a_list_is_refused(network: Path) -> None:
    (network / "events.yaml").write_text("name: not a list\n", encoding="utf-8")
    with pytest.raises(MergeError, match="must be a list of events"):
        run(network, TWO, DAY1)


def test_missing_events_file_is_created(network: Path) -> None:
    (network / "events.yaml").unlink()
    run(network, TWO, DAY1)
    assert len(load(network, bare_plugin_manager()).events) == 2


def test_indented_nested_lists_stay_as_written(network: Path) -> None:
    written = ("- id: fest\n  title: Fest\n  organisers:\n    - ki\n    - verein\n"
               "  start: 2026-09-19T14:00\n")
    (network / "events.yaml").write_text(written, encoding="utf-8")
    run(network, TWO, DAY1)
    assert (network / "events.yaml").read_text(encoding="utf-8").startswith(written)


def test_override_gone_from_the_feed_is_deleted_not_cancelled(network: Path) -> None:
    series = ("BEGIN:VEVENT\r\nUID:s@x\r\nDTSTART;TZID=Europe/Berlin:20260302T100000\r\n"
              "RRULE:FREQ=WEEKLY;COUNT=5\r\nSUMMARY:Treff\r\nEND:VEVENT\r\n")
    moved = ("BEGIN:VEVENT\r\nUID:s@x\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260309T100000\r\n"
             "DTSTART;TZID=Europe/Berlin:20260310T100000\r\nSUMMARY:Treff\r\nEND:VEVENT\r\n")
    wrap = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{}END:VCALENDAR\r\n"
    run(network, wrap.format(series + moved).encode(), DAY1)
    assert len(records(network)) == 3
    report = run(network, wrap.format(series).encode(), DAY2)
    assert len(report.removed) == 1
    assert report.removed[0].endswith("-r20260309t1000")
    remaining = records(network)
    assert len(remaining) == 2
    assert all("recurrence_id" not in r for r in remaining)
    assert all(r.get("status") != "cancelled" for r in remaining)
