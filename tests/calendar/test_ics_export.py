"""The joint calendar export, checked on the bytes, by the shared linter and by ical.js."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from click.testing import CliRunner

from ki_network import hookimpl, load
from ki_network.calendar.ics_export.vtimezone import vtimezone
from ki_network.calendar.ics_export.writer import export_calendar
from ki_network.calendar.occurrences import occurrences
from ki_network.calendar.zones import transitions
from ki_network.cli import main
from ki_network.network import Network
from ki_network.testing import bare_plugin_manager

from .conftest import JointRegion

FIXTURE = Path(__file__).parent / "fixtures" / "joint"
ROOT = Path(__file__).resolve().parents[2]
LINT = ROOT.parent / "shared" / "checks" / "ics_lint.py"
JS = ROOT / "tests" / "js"
YEAR = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


class Untouched:
    """A plugin that implements the calendar hook and changes nothing."""

    @hookimpl
    def ki_network_calendar_event(self, component: Any, item: Any, network: Network) -> None:
        assert component["UID"]


class CalendarMark:
    """A plugin customising every exported event."""

    @hookimpl
    def ki_network_calendar_event(self, component: Any, item: Any, network: Network) -> None:
        component.add("x-ki-item", item.id)


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "joint"
    shutil.copytree(FIXTURE, target)
    return target


def _load(directory: Path, *plugins: object) -> Network:
    return load(directory, bare_plugin_manager(JointRegion(), *plugins))


def _cli(directory: Path, *args: str) -> str:
    """``ki-network calendar`` with the test region (the CLI loads installed plugins only)."""
    pm = bare_plugin_manager(JointRegion())
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("ki_network.cli._common.make_plugin_manager", lambda: pm)
        result = runner.invoke(main, ["calendar", str(directory), *args])
    assert result.exit_code == 0, result.output
    return result.output


def _lint(*paths: Path) -> None:
    if not LINT.exists():
        pytest.skip(f"the shared linter {LINT} is missing")
    result = subprocess.run([sys.executable, str(LINT), *map(str, paths)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def _vevents(data: bytes) -> dict[str, bytes]:
    """Raw VEVENT blocks by UID (+ RECURRENCE-ID), unfolded only to find the key."""
    blocks = re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", data, re.DOTALL)
    found = {}
    for block in blocks:
        text = block.replace(b"\r\n ", b"").decode()
        uid = re.search(r"^UID:(.*)$", text, re.MULTILINE)
        rid = re.search(r"^RECURRENCE-ID[^:]*:(.*)$", text, re.MULTILINE)
        assert uid is not None
        found[uid.group(1).strip() + ("|" + rid.group(1).strip() if rid else "")] = block
    return found


def _ical_js(path: Path, start: datetime, end: datetime) -> dict[str, Any]:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for the independent parser ical.js; not found")
    if not (JS / "node_modules" / "ical.js").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, check=True,
                       capture_output=True)
    result = subprocess.run(
        ["node", str(JS / "expand.mjs"), str(path), start.isoformat().replace("+00:00", "Z"),
         end.isoformat().replace("+00:00", "Z")], capture_output=True, text=True, check=True)
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


# -- the bytes -------------------------------------------------------------------------------


@pytest.mark.parametrize("audience", ["public", "partners", "internal"])
def test_export_passes_the_shared_linter(tmp_path: Path, audience: str) -> None:
    directory = _copy(tmp_path)
    out = tmp_path / f"{audience}.ics"
    output = _cli(directory, "-o", str(out), "--audience", audience, "--lang", "en")
    assert "skipped ohne-termin: no schedule" in output
    _lint(out)
    data = out.read_bytes()
    # Europe/Berlin, Etc/GMT-3 (a +03:00 offset), America/New_York (an imported tzid)
    assert data.count(b"BEGIN:VTIMEZONE") == data.count(b"TZID:") == 3
    assert b"TZID=UTC" not in data and b"TZID:UTC" not in data
    lines = data.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert b"\n" not in b"".join(lines)  # every newline belongs to a CRLF


def test_split_exports_pass_the_linter(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _cli(directory, "-o", str(tmp_path / "by-municipality"), "--split-by", "municipality")
    files = sorted(p.name for p in (tmp_path / "by-municipality").iterdir())
    assert files == ["05374012.ics", "05374056.ics", "no-municipality.ics"]
    _lint(*(tmp_path / "by-municipality").iterdir())
    _cli(directory, "-o", str(tmp_path / "by-actor"), "--split-by", "actor")
    assert {p.stem for p in (tmp_path / "by-actor").iterdir()} == {
        "ki", "caritas", "verein", "schule"}
    schule = (tmp_path / "by-actor" / "schule.ics").read_bytes()
    assert b"X-WR-CALNAME:Gemeinsamer Kalender Testkreis: Schule am Park" in schule


def test_calendar_properties_and_text_escaping(tmp_path: Path) -> None:
    net = _load(_copy(tmp_path))
    data = export_calendar(net, name='Kalender, "Nord"; Süd\\West\nZwei',
                           now=datetime(2026, 1, 1, tzinfo=UTC)).data
    head = data.split(b"BEGIN:VTIMEZONE")[0].decode()
    for prop in ("NAME", "X-WR-CALNAME"):
        assert f'{prop}:Kalender\\, "Nord"\\; Süd\\\\West\\nZwei\r\n' in head
    for line in ("VERSION:2.0", "PRODID:-//ki-network//Joint calendar//EN", "METHOD:PUBLISH",
                 "REFRESH-INTERVAL;VALUE=DURATION:PT12H", "X-PUBLISHED-TTL:PT12H",
                 "X-WR-CALDESC:Gemeinsamer Kalender Testkreis: Gemeinsamer Kalender"):
        assert line + "\r\n" in head


def test_event_properties(tmp_path: Path) -> None:
    net = _load(_copy(tmp_path)).for_audience("public")
    data = export_calendar(net, now=datetime(2026, 1, 1, tzinfo=UTC)).data
    blocks = _vevents(data)
    cafe = blocks["offer-sprachcafe@ki-test.example"].replace(b"\r\n ", b"").decode()
    for line in ("DTSTART;TZID=Europe/Berlin:20260113T093000",
                 "DTEND;TZID=Europe/Berlin:20260113T110000",
                 "RRULE:FREQ=WEEKLY;UNTIL=20260714T215959Z;BYDAY=TU",
                 # the date exdate became the occurrence of that day, in the start's type
                 "EXDATE;TZID=Europe/Berlin:20260407T093000",
                 "EXDATE;TZID=Europe/Berlin:20260512T093000",
                 "DTSTAMP:20260101T000000Z", "LAST-MODIFIED:20260101T000000Z", "SEQUENCE:0",
                 "GEO:51.0266;7.5647", "URL;VALUE=URI:https://caritas.example/sprachcafe",
                 "CATEGORIES:Sprache,Niedrigschwellige Sprachangebote / Sprachcafé",
                 "STATUS:CONFIRMED",
                 # the provider's address is for partners only: a no-reply address instead
                 'ORGANIZER;CN="Caritas, Testkreis e.V.":mailto:noreply@ki-test.example'):
        assert line + "\r\n" in cafe, line
    assert "DURATION" not in cafe
    moscow = blocks["offer-moskau-online@ki-test.example"].decode()
    assert "DTSTART;TZID=Etc/GMT-3:20260202T180000" in moscow
    utc = blocks["offer-moskau-online-2@ki-test.example"].decode()
    assert "DTSTART:20260204T170000Z" in utc and "UNTIL=20260429T170000Z" in utc
    markt = blocks["event-markttag@ki-test.example"].decode()
    assert "DTSTART;VALUE=DATE:20260307" in markt and "UNTIL=20260425;" in markt
    assert "EXDATE;VALUE=DATE:20260404" in markt
    moved = blocks["event-elternabend@ki-test.example|20260305T180000"].decode()
    assert "RECURRENCE-ID;TZID=Europe/Berlin:20260305T180000" in moved
    rest = blocks["event-elternabend@ki-test.example|20260507T180000"].decode()
    assert "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20260507T180000" in rest
    cancelled = blocks["event-elternabend@ki-test.example|20260402T180000"].decode()
    assert "STATUS:CANCELLED" in cancelled
    assert "TRANSP:TRANSPARENT" in blocks["event-stadtfest-info@ki-test.example"].decode()


def test_public_export_holds_nothing_restricted(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _cli(directory, "-o", str(tmp_path / "public.ics"))
    public = (tmp_path / "public.ics").read_bytes()
    for marker in (b"INTERNAL-OFFER-MARKER", b"INTERNAL-EVENT-MARKER", b"INTERNAL-ACTOR-MARKER",
                   b"private-caritas-mail", b"2261"):
        assert marker not in public
    _cli(directory, "-o", str(tmp_path / "partners.ics"), "--audience", "partners")
    partners = (tmp_path / "partners.ics").read_bytes()
    assert b"INTERNAL-OFFER-MARKER" in partners and b"private-caritas-mail" in partners
    assert b"INTERNAL-EVENT-MARKER" not in partners


def test_filters_and_language(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    out = tmp_path / "f.ics"
    _cli(directory, "-o", str(out), "--municipality", "wiehl", "--target-group", "parents",
         "--language", "tr")
    uids = {key.split("|")[0] for key in _vevents(out.read_bytes())}
    assert uids == {"offer-elterncafe@ki-test.example", "offer-elterncafe-2@ki-test.example",
                    "event-elternabend@ki-test.example", "event-maifest@ki-test.example"}
    assert b"SUMMARY:Veli kafesi\r\n" in out.read_bytes()  # Turkish, where there is one
    assert b"SUMMARY:Elternabend\r\n" in out.read_bytes()  # else the network's language
    _cli(directory, "-o", str(out), "--topic", "language", "--from", "2026-01-01",
         "--to", "2026-02-01")
    assert set(_vevents(out.read_bytes())) == {"offer-sprachcafe@ki-test.example"}
    _cli(directory, "-o", str(out), "--to", "2026-01-10")  # open start
    assert {k.split("|")[0] for k in _vevents(out.read_bytes())} == {
        "offer-elterncafe-2@ki-test.example"}  # its first Wednesday, 7 January
    _cli(directory, "-o", str(out), "--from", "2026-11-01")  # open end
    assert {k.split("|")[0] for k in _vevents(out.read_bytes())} == {
        "offer-elterncafe@ki-test.example", "event-sonderzeichen@ki-test.example"}
    _cli(directory, "-o", str(out), "--actor", "schule")
    assert {k.split("|")[0] for k in _vevents(out.read_bytes())} == {
        "offer-hausaufgaben@ki-test.example", "event-elternabend@ki-test.example"}


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--actor", "caritass", "no actor 'caritass' (did you mean 'caritas'?)"),
    ("--municipality", "Wiehll", "no municipality 'Wiehll' (did you mean 'Wiehl'?)"),
    ("--topic", "languag", "no topic 'languag'"),
    ("--target-group", "parent", "no target group 'parent'"),
])
def test_unknown_filter_values_are_usage_errors(tmp_path: Path, option: str, value: str,
                                                message: str) -> None:
    pm = bare_plugin_manager(JointRegion())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("ki_network.cli._common.make_plugin_manager", lambda: pm)
        result = CliRunner().invoke(main, ["calendar", str(FIXTURE), "-o",
                                           str(tmp_path / "x.ics"), option, value])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "x.ics").exists()


def test_hook_customises_every_event(tmp_path: Path) -> None:
    net = _load(_copy(tmp_path), CalendarMark())
    data = export_calendar(net, audience="internal", now=datetime(2026, 1, 1, tzinfo=UTC)).data
    assert data.count(b"X-KI-ITEM:") == data.count(b"\r\nBEGIN:VEVENT\r\n") > 10
    assert b"X-KI-ITEM:elternabend-ab-mai\r\n" in data
    out = tmp_path / "marked.ics"
    out.write_bytes(data)
    _lint(out)


def test_the_plugin_path_writes_the_same_bytes(tmp_path: Path) -> None:
    # Without plugins the events are written from property lists; with a calendar plugin
    # they become icalendar components first: both must give the same feed.
    directory = _copy(tmp_path)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    plain = export_calendar(_load(directory), now=now).data
    assert export_calendar(_load(directory, Untouched()), now=now).data == plain


# -- determinism and SEQUENCE ----------------------------------------------------------------


def test_exporting_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    first, second = tmp_path / "1.ics", tmp_path / "2.ics"
    _cli(directory, "-o", str(first))
    state = directory / ".ki-network" / "calendar-state.json"
    state_before = state.read_bytes()
    mtime = state.stat().st_mtime_ns
    _cli(directory, "-o", str(second))
    assert first.read_bytes() == second.read_bytes()
    assert state.read_bytes() == state_before and state.stat().st_mtime_ns == mtime


def test_a_time_edit_raises_that_sequence_and_changes_nothing_else(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    before, after, again = tmp_path / "before.ics", tmp_path / "after.ics", tmp_path / "a2.ics"
    _cli(directory, "-o", str(before))
    offers = directory / "offers.yaml"
    offers.write_text(offers.read_text(encoding="utf-8").replace(
        "{start: 2026-01-13T09:30, end: 2026-01-13T11:00",
        "{start: 2026-01-13T10:00, end: 2026-01-13T11:30"), encoding="utf-8")
    _cli(directory, "-o", str(after))
    old, new = _vevents(before.read_bytes()), _vevents(after.read_bytes())
    uid = "offer-sprachcafe@ki-test.example"
    assert old.keys() == new.keys()
    assert [k for k in old if old[k] != new[k]] == [uid]
    assert b"SEQUENCE:0\r\n" in old[uid] and b"SEQUENCE:1\r\n" in new[uid]
    assert b"T100000\r\n" in new[uid]
    outside = before.read_bytes().replace(old[uid], b"")
    assert outside == after.read_bytes().replace(new[uid], b"")
    _cli(directory, "-o", str(again))  # nothing changed since: nothing rises again
    assert again.read_bytes() == after.read_bytes()


def test_a_title_edit_moves_last_modified_but_not_sequence(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    net = _load(directory)
    from ki_network.calendar.ics_export.state import CalendarState

    state = CalendarState()
    first = _vevents(export_calendar(net, state=state, now=datetime(2026, 1, 1, tzinfo=UTC)).data)
    events = directory / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8").replace(
        "title: Interkulturelles Fest", "title: Interkulturelles Sommerfest"), encoding="utf-8")
    later = datetime(2026, 2, 1, 12, tzinfo=UTC)
    second = _vevents(export_calendar(_load(directory), state=state, now=later).data)
    fest = second["event-fest@ki-test.example"]
    assert b"SEQUENCE:0\r\n" in fest and b"LAST-MODIFIED:20260201T120000Z\r\n" in fest
    assert [k for k in first if first[k] != second[k]] == ["event-fest@ki-test.example"]


def test_a_broken_state_file_is_an_error_not_a_reset(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    (directory / ".ki-network").mkdir()
    (directory / ".ki-network" / "calendar-state.json").write_text("{nope", encoding="utf-8")
    pm = bare_plugin_manager(JointRegion())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("ki_network.cli._common.make_plugin_manager", lambda: pm)
        result = CliRunner().invoke(main, ["calendar", str(directory), "-o",
                                           str(tmp_path / "x.ics")])
    assert result.exit_code == 1
    assert "not a readable calendar state file" in result.output
    assert "Traceback" not in result.output


# -- other parsers agree ---------------------------------------------------------------------


def _ours(net: Network, start: datetime, end: datetime) -> list[list[str]]:
    tz = net.config.tz
    found = []
    for o in occurrences(net, start, end):
        if o.all_day:
            day = o.start.astimezone(tz).date().isoformat()
            if start <= datetime.fromisoformat(day).replace(tzinfo=UTC) < end:
                found.append([o.uid, day])
        elif start <= o.start < end:
            found.append([o.uid, o.start.strftime("%Y-%m-%dT%H:%M:%SZ")])
    return sorted(found)


def _ambiguous_or_missing(utc_text: str, zone: ZoneInfo) -> bool:
    """True if the wall-clock time of this instant in ``zone`` is repeated or skipped nearby."""
    if "T" not in utc_text:
        return False  # all-day
    instant = datetime.strptime(utc_text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    local = instant.astimezone(zone).replace(tzinfo=None)
    for wall in (local, local + timedelta(hours=1), local - timedelta(hours=1)):
        first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
        if first.utcoffset() != second.utcoffset():
            return True
    return False


@pytest.mark.node
def test_ical_js_expands_the_export_as_we_do(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    out = tmp_path / "internal.ics"
    _cli(directory, "-o", str(out), "--audience", "internal")
    theirs = _ical_js(out, *YEAR)["occurrences"]
    ours = _ours(_load(directory), *YEAR)
    assert len(ours) > 200
    berlin = ZoneInfo("Europe/Berlin")
    # ical.js departs from RFC 5545 3.3.5 at wall-clock times that a DST switch skips or
    # repeats (it takes the later offset for both); the fixture's night café has one of each.
    # Everywhere else the two expansions must agree exactly.
    odd_ours = [o for o in ours if _ambiguous_or_missing(o[1], berlin)]
    odd_theirs = [o for o in theirs if _ambiguous_or_missing(o[1], berlin)]
    assert [o for o in theirs if o not in odd_theirs] == [o for o in ours if o not in odd_ours]
    assert odd_ours == [["offer-nachtcafe-2@ki-test.example", "2026-10-25T00:30:00Z"],
                        ["offer-nachtcafe@ki-test.example", "2026-03-29T01:30:00Z"]]
    assert odd_theirs == [["offer-nachtcafe-2@ki-test.example", "2026-10-25T01:30:00Z"],
                          ["offer-nachtcafe@ki-test.example", "2026-03-29T00:30:00Z"]]


def test_recurring_ical_events_expands_the_export_as_we_do(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    net = _load(directory)
    data = export_calendar(net, audience="internal", now=datetime(2026, 1, 1, tzinfo=UTC)).data
    theirs = []
    for component in recurring_ical_events.of(icalendar.Calendar.from_ical(data)).between(
            *YEAR):
        start = component.start
        key = (start.isoformat() if not isinstance(start, datetime)
               else start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        if not isinstance(start, datetime) or YEAR[0] <= start < YEAR[1]:
            theirs.append([str(component["UID"]), key])
    assert sorted(theirs) == _ours(net, *YEAR)


def test_a_client_that_ignores_thisandfuture_still_sees_the_right_times(tmp_path: Path) -> None:
    # Outlook and Google read RANGE=THISANDFUTURE as a single override; the moved occurrences
    # are also written one by one, so such a client sees what RFC 5545 clients see.
    net = _load(_copy(tmp_path))
    data = export_calendar(net, audience="internal", now=datetime(2026, 1, 1, tzinfo=UTC)).data
    assert data.count(b"RANGE=THISANDFUTURE") == 1
    plain = data.replace(b"RANGE=THISANDFUTURE;", b"")
    calendar = icalendar.Calendar.from_ical(plain)
    theirs = sorted(
        [str(c["UID"]), c.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")]
        for c in recurring_ical_events.of(calendar).between(*YEAR)
        if str(c["UID"]) == "event-elternabend@ki-test.example")
    ours = [o for o in _ours(net, *YEAR) if o[0] == "event-elternabend@ki-test.example"]
    assert theirs == ours
    assert ["event-elternabend@ki-test.example", "2026-06-25T17:00:00Z"] in ours  # 19:00 CEST


@pytest.mark.node
def test_text_with_ical_syntax_round_trips_unchanged(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    net = _load(directory)
    source = net.events["sonderzeichen"]
    out = tmp_path / "text.ics"
    out.write_bytes(export_calendar(net, audience="internal",
                                    now=datetime(2026, 1, 1, tzinfo=UTC)).data)
    assert out.read_bytes().count(b"\r\nEND:VCALENDAR\r\n") == 1
    assert out.read_bytes().endswith(b"\r\nEND:VCALENDAR\r\n")
    expected = {"summary": source.title.get(), "location": source.location,
                "description": source.description.get() if source.description else None}
    parsed = icalendar.Calendar.from_ical(out.read_bytes())
    (event,) = [e for e in parsed.walk("VEVENT")
                if str(e["UID"]) == "event-sonderzeichen@ki-test.example"]
    assert {k: str(event[k]) for k in expected} == expected
    components = _ical_js(out, *YEAR)["components"]
    (js,) = [c for c in components if c["uid"] == "event-sonderzeichen@ki-test.example"]
    assert {k: js[k] for k in expected} == expected
    (arabic,) = [c for c in components if c["uid"] == "offer-elterncafe@ki-test.example"]
    assert arabic["categories"] == ["Schule"]
    # and through our own importer: the whole round trip, data → feed → data
    from ki_network.calendar.ics_import.reader import read_ics

    feed = read_ics(out.read_bytes(), actor="verein")
    assert not feed.skipped
    assert len(feed.records) == out.read_bytes().count(b"\r\nBEGIN:VEVENT\r\n")
    (record,) = [r for r in feed.records if r["uid"] == "event-sonderzeichen@ki-test.example"]
    assert {"summary": record["title"], "location": record["location"],
            "description": record["description"]} == expected


EXAMPLE = ROOT / "examples" / "oberberg"


@pytest.mark.node
@pytest.mark.parametrize("audience", ["public", "internal"])
def test_the_example_network_exports_cleanly_and_ical_js_agrees(tmp_path: Path,
                                                                 audience: str) -> None:
    if not (EXAMPLE / "network.yaml").exists():
        pytest.skip(f"the example network {EXAMPLE} is not there")
    from ki_network.plugin.manager import make_plugin_manager

    pm = make_plugin_manager()
    if pm.get_plugin("oberberg") is None:
        pytest.skip("the region plugin ki-network-oberberg is not installed")
    net = load(EXAMPLE, pm).for_audience(audience)
    out = tmp_path / f"oberberg-{audience}.ics"
    out.write_bytes(export_calendar(net, audience=audience,
                                    now=datetime(2026, 1, 1, tzinfo=UTC)).data)
    _lint(out)
    again = export_calendar(load(EXAMPLE, make_plugin_manager()), audience=audience,
                            now=datetime(2026, 1, 1, tzinfo=UTC)).data
    assert again == out.read_bytes()
    ours = _ours(net, *YEAR)
    assert len(ours) > 1000
    assert _ical_js(out, *YEAR)["occurrences"] == ours


# -- time zones ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/New_York", "Australia/Sydney",
                                  "Asia/Kolkata", "Europe/Moscow", "America/Sao_Paulo"])
def test_vtimezone_gives_the_offsets_zoneinfo_gives(name: str) -> None:
    zone = ZoneInfo(name)
    component = vtimezone(zone, 2010, 2030)
    text = component.to_ical().decode()
    assert "RDATE" not in text
    rebuilt = component.to_tz()  # icalendar's own reading of our VTIMEZONE
    instant = datetime(2010, 1, 1, tzinfo=UTC)
    while instant < datetime(2031, 12, 31, tzinfo=UTC):
        assert instant.astimezone(rebuilt).utcoffset() == instant.astimezone(zone).utcoffset(), \
            instant
        instant += timedelta(hours=7)


def test_vtimezone_for_berlin_is_the_eu_rule() -> None:
    text = vtimezone(ZoneInfo("Europe/Berlin"), 2026, 2030).to_ical().decode()
    assert text.count("RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3") == 1
    assert text.count("RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10") == 1
    found = transitions(ZoneInfo("Europe/Berlin"), 2026, 2026)
    assert [t.at for t in found] == [datetime(2026, 3, 29, 1, tzinfo=UTC),
                                     datetime(2026, 10, 25, 1, tzinfo=UTC)]
