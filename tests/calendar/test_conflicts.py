"""Schedule conflicts found by the sweep, and the ``conflicts`` command."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ki_network import ClosedDay, Municipality, Severity, hookimpl, load
from ki_network.checks import find_conflicts
from ki_network.checks.conflicts import normalise_location
from ki_network.cli import main
from ki_network.network import Network
from ki_network.testing import bare_plugin_manager

from .conftest import JointRegion

FIXTURE = Path(__file__).parent / "fixtures" / "joint"
YEAR = (date(2026, 1, 1), date(2027, 1, 1))


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "joint"
    shutil.copytree(FIXTURE, target)
    return target


def _load(directory: Path) -> Network:
    return load(directory, bare_plugin_manager(JointRegion()))


def _run(directory: Path, *args: str) -> Result:
    pm = bare_plugin_manager(JointRegion())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("ki_network.cli._common.make_plugin_manager", lambda: pm)
        return CliRunner().invoke(main, ["conflicts", str(directory), *args])


def test_finds_each_kind_of_conflict_and_nothing_else() -> None:
    findings = find_conflicts(_load(FIXTURE), *YEAR)
    assert sorted((f.rule, f.subjects, f.severity) for f in findings) == [
        ("holiday-collision", ("elternabend",), Severity.INFO),
        ("holiday-collision", ("elterncafe",), Severity.INFO),
        ("holiday-collision", ("elterncafe",), Severity.INFO),
        ("holiday-collision", ("hausaufgaben",), Severity.INFO),
        ("holiday-collision", ("maifest",), Severity.WARNING),
        ("location-double-booked", ("raum-doppelt", "sprachcafe"), Severity.WARNING),
        ("organiser-double-booked", ("ki-termin-a", "ki-termin-b"), Severity.WARNING),
        ("schedule-conflict", ("fruehstueck", "sprachcafe"), Severity.WARNING),
        ("schedule-conflict", ("raum-doppelt", "sprachcafe"), Severity.WARNING),
    ]


def test_evidence_says_when_and_for_whom() -> None:
    findings = {(f.rule, f.subjects): f for f in find_conflicts(_load(FIXTURE), *YEAR)}
    women = findings[("schedule-conflict", ("fruehstueck", "sprachcafe"))]
    assert women.evidence["target_groups"] == ("women",)
    assert women.evidence["municipality"] == "05374012"
    assert women.evidence["occurrences"] == 4
    assert women.evidence["first"] == "2026-02-03 10:00"  # when the overlap begins
    assert "Gummersbach" in women.message and "Frauen" in women.message
    school = next(f for f in findings.values() if f.subjects == ("hausaufgaben",))
    assert school.evidence["dates"] == ("2026-03-30", "2026-04-01", "2026-04-06", "2026-04-08")
    assert school.evidence["kind"] == "school_holiday"
    organiser = findings[("organiser-double-booked", ("ki-termin-a", "ki-termin-b"))]
    assert organiser.evidence["actors"] == ("ki",)


def test_cancelled_and_transparent_occurrences_are_no_conflicts() -> None:
    subjects = {s for f in find_conflicts(_load(FIXTURE), *YEAR) for s in f.subjects}
    # the cancelled parents' evening shares the hall with the info evening; the cancelled
    # appointment would put the KI in two places; the info stand shares the festival's square
    assert not subjects & {"infoabend", "abgesagt", "stadtfest-info", "fest"}
    elternabend = [f for f in find_conflicts(_load(FIXTURE), *YEAR)
                   if f.subjects == ("elternabend",)]
    assert elternabend[0].evidence["dates"] == ("2026-04-09",)  # 2 April is cancelled


def test_rules_can_be_switched_off_in_network_yaml(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    settings = directory / "network.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") +
                        "rules:\n  holiday-collision: false\n"
                        "  location-double-booked: {enabled: false}\n", encoding="utf-8")
    rules = {f.rule for f in find_conflicts(_load(directory), *YEAR)}
    assert rules == {"schedule-conflict", "organiser-double-booked"}


def test_window_limits_the_findings() -> None:
    findings = find_conflicts(_load(FIXTURE), date(2026, 6, 1), date(2026, 7, 1))
    assert [f.subjects for f in findings] == [("ki-termin-a", "ki-termin-b")]


def test_location_normalisation() -> None:
    assert normalise_location("Bürgerhaus, Hindenburgstr. 20") == \
        normalise_location("bürgerhaus  hindenburgstrasse 20")
    assert normalise_location(None) == ""


def test_conflicts_command_json_contract(tmp_path: Path) -> None:
    result = _run(FIXTURE, "--from", "2026-01-01", "--to", "2027-01-01", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["window"] == {"from": "2026-01-01", "to": "2027-01-01"}
    assert len(document["findings"]) == 9
    for finding in document["findings"]:
        assert set(finding) == {"rule", "severity", "subjects", "message", "suggestion",
                                "evidence"}
        assert finding["severity"] in ("info", "warning", "error")


def test_conflicts_command_text_and_exit_codes() -> None:
    result = _run(FIXTURE, "--from", "2026-06-01", "--to", "2026-07-01")
    assert result.exit_code == 0, result.output
    assert "organiser-double-booked" in result.output
    assert "1 conflict between 2026-06-01 and 2026-07-01" in result.output
    failing = _run(FIXTURE, "--from", "2026-06-01", "--to", "2026-07-01", "--fail-on", "warning")
    assert failing.exit_code == 1
    backwards = _run(FIXTURE, "--from", "2026-07-01", "--to", "2026-06-01")
    assert backwards.exit_code == 2 and "--to must be after --from" in backwards.output


def _offer(offer_id: str, location: str, **fields: object) -> dict[str, object]:
    return {"id": offer_id, "title": offer_id, "provider": "caritas", "location": location,
            "schedule": [{"start": "2026-03-02T10:00", "end": "2026-03-02T12:00",
                          "rrule": "FREQ=WEEKLY;COUNT=3"}], **fields}


def test_a_provider_with_parallel_courses_is_not_in_two_places() -> None:
    from ki_network.testing import tiny_network

    net = tiny_network(offers=[_offer("kurs-a", "VHS, Moltkestraße 34, Gummersbach"),
                               _offer("kurs-b", "Rathaus Wiehl")], events=[])
    assert find_conflicts(net, *YEAR) == []
    # the same person is, though
    net = tiny_network(offers=[
        _offer("kurs-a", "VHS, Moltkestraße 34, Gummersbach",
               contact={"person": "Frau Yilmaz"}),
        _offer("kurs-b", "Rathaus Wiehl", contact={"person": "Frau Yilmaz"})], events=[])
    (finding,) = find_conflicts(net, *YEAR, language="en")
    assert finding.rule == "organiser-double-booked"
    assert finding.evidence["people"] == ("frau yilmaz",)
    assert finding.evidence["occurrences"] == 3
    assert finding.message.startswith("Frau Yilmaz would be at two places at once")


def test_one_building_is_one_place_for_an_organiser() -> None:
    from ki_network.testing import tiny_network

    def event(event_id: str, location: str, start: str) -> dict[str, object]:
        return {"id": event_id, "title": event_id, "organisers": ["ki"], "location": location,
                "start": start, "end": start.replace("T10", "T13")}

    net = tiny_network(offers=[], events=[
        event("a", "VHS-Haus, Moltkestraße 34, Raum 2", "2026-05-05T10:00"),
        event("b", "Moltkestr. 34, Gummersbach (VHS)", "2026-05-05T10:30"),
        event("c", "Kreishaus, Moltkestraße 42", "2026-05-05T10:45")])
    assert [f.subjects for f in find_conflicts(net, *YEAR)] == [("a", "c"), ("b", "c")]


class TwoSchoolHolidays:
    """A region with Easter and summer holidays and one public holiday in between."""

    @hookimpl
    def ki_network_region_municipalities(self, region: str) -> list[Municipality] | None:
        return [Municipality("05374012", "Gummersbach")] if region == "zwei" else None

    @hookimpl
    def ki_network_closed_days(self, region: str, year: int) -> list[ClosedDay] | None:
        if region != "zwei":
            return None
        return [ClosedDay(date(2026, 3, 30), date(2026, 4, 11), "Osterferien", "school_holiday"),
                ClosedDay(date(2026, 5, 1), date(2026, 5, 1), "Tag der Arbeit", "public_holiday"),
                ClosedDay(date(2026, 7, 20), date(2026, 9, 1), "Sommerferien", "school_holiday")]


def test_school_holidays_of_one_series_make_one_finding_public_holidays_one_each(
        tmp_path: Path) -> None:
    from ki_network.testing import write_network

    weekly = {"id": "elterncafe", "title": "Elterncafé", "provider": "caritas",
              "target_groups": ["parents"], "municipality": "Gummersbach",
              "schedule": [{"start": "2026-03-06T10:00", "end": "2026-03-06T12:00",
                            "rrule": "FREQ=WEEKLY;BYDAY=FR", "until": "2026-08-28"}]}
    directory = write_network(tmp_path / "net", offers=[weekly], events=[])
    config = (directory / "network.yaml").read_text(encoding="utf-8")
    (directory / "network.yaml").write_text(config + "region: zwei\n", encoding="utf-8")
    net = load(directory, bare_plugin_manager(TwoSchoolHolidays()))
    found = [f for f in find_conflicts(net, *YEAR) if f.rule == "holiday-collision"]
    by_kind = {f.evidence["kind"]: f for f in found}
    assert len(found) == 2
    school = by_kind["school_holiday"]
    assert school.severity is Severity.INFO
    assert school.evidence["holiday"] == "Osterferien, Sommerferien"
    # Fridays 3 and 10 April, and 24 July to 28 August
    assert school.evidence["occurrences"] == 2 + 6
    assert school.evidence["first"] == "2026-04-03"
    assert by_kind["public_holiday"].evidence["holiday"] == "Tag der Arbeit"
    assert by_kind["public_holiday"].severity is Severity.WARNING


CALENDAR_RULES = {"schedule-conflict", "location-double-booked", "organiser-double-booked",
                  "holiday-collision"}


def test_conflicts_speak_the_language_asked_for(oberberg: Path, cli: Any) -> None:
    window = ("--from", "2026-01-01", "--to", "2027-10-01")
    german = cli("conflicts", oberberg, *window, "--lang", "de")
    english = cli("conflicts", oberberg, *window, "--lang", "en")
    assert german.code == english.code == 0, german.stderr + english.stderr
    assert "sind zur selben Zeit am selben Ort" in german.stdout
    assert "are both at" not in german.stdout
    assert "are both at" in english.stdout
    assert "sind zur selben Zeit am selben Ort" not in english.stdout


@pytest.mark.parametrize("lang", ["de", "en"])
def test_conflicts_and_check_say_the_same(oberberg: Path, cli: Any, lang: str) -> None:
    """One wording: a conflict reads the same in ``conflicts`` and in ``check``.  The window of
    ``check`` is 1 January of today's year to a year after today (see docs/rules.md)."""
    conflicts = cli("conflicts", oberberg, "--from", "2026-01-01", "--to", "2027-10-01",
                    "--lang", lang, "--format", "json")
    rules = [arg for rule in sorted(CALENDAR_RULES) for arg in ("--rule", rule)]
    check = cli("check", oberberg, "--today", "2026-10-01", "--lang", lang, "--format", "json",
                *rules)
    assert conflicts.code == 0, conflicts.stderr
    worded = {(f["rule"], tuple(f["subjects"]), f["evidence"]["first"]):
              (f["message"], f["suggestion"]) for f in json.loads(conflicts.stdout)["findings"]}
    checked = {(f["rule"], tuple(f["subjects"]), f["evidence"]["first"]):
               (f["message"], f["suggestion"]) for f in json.loads(check.stdout)["findings"]}
    assert len(worded) >= 4
    assert {rule for rule, _, _ in worded} <= CALENDAR_RULES
    assert checked == worded
